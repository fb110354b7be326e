"""Tuned configurations in use: the best stored config for a device and the nearest problem.

``device.compile(name)`` without a configuration asks :func:`tuned_config`; so do the graph
executor, ``warpbench bench`` and the networks, which compile through it. Only runs whose
key still matches (same source hash, defines and compiler, same device name and compute
capability) count; among them the run whose problem is nearest to the one asked for (by
default the problem a tuning run would use) gives its best correct configuration. Said at
``WARPBENCH_DEBUG=1``. No database file, no match, or a stored config the variant's
restrictions no longer accept: None, and the defaults are used.

:func:`pinned_configs` overrides both for the kernels it names while it is active: what the
network config sweeps use to run a whole graph with chosen per-kernel configurations.
"""
from __future__ import annotations

import json
import math
from contextlib import contextmanager
from contextvars import ContextVar

from warpbench.config import debug
from warpbench.errors import WarpbenchError
from warpbench.kernels.spec import KernelSpec, Problem
from warpbench.tune.database import TuneDatabase, database_path
from warpbench.tune.identity import key_compiler, source_hash


_PINNED: ContextVar[dict] = ContextVar("pinned_configs", default={})


@contextmanager
def pinned_configs(configs: dict[str, dict]):
    """While active, ``device.compile(name)`` without a configuration compiles the registry
    variant ``name`` with ``configs[name]`` (checked by its restrictions now), whatever the
    tuner stored; other variants are unaffected. Graph functions compile their kernels when
    they are built, and a pipeline its stages when it first runs: do both inside."""
    from warpbench.kernels import get
    checked = {name: get(name).resolve(config) for name, config in configs.items()}
    token = _PINNED.set({**_PINNED.get(), **checked})
    try:
        yield
    finally:
        _PINNED.reset(token)


def pinned_config(spec) -> dict | None:
    """The configuration :func:`pinned_configs` pins for ``spec`` now, or None."""
    return _PINNED.get().get(getattr(spec, "name", None))


def problem_distance(wanted: Problem, stored: Problem) -> float:
    """How far two problems are: the summed log2 ratio of their numeric fields, plus one for
    each other field that differs; infinite for different dtypes."""
    if wanted.get("dtype") != stored.get("dtype"):
        return math.inf
    distance = 0.0
    for name in set(wanted) | set(stored):
        a, b = wanted.get(name), stored.get(name)
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
        if numeric and a > 0 and b > 0:
            distance += abs(math.log2(a / b))
        elif a != b:
            distance += 1.0
    return distance


def tuned_config(device, spec: KernelSpec, problem: Problem | None = None) -> dict | None:
    """The best stored configuration of ``spec`` on ``device`` for the problem nearest to
    ``problem`` (default: the problem tuning would use), or None."""
    if not getattr(spec, "tunables", ()) or not isinstance(spec, KernelSpec):
        return None
    path = database_path()
    if not path.is_file():
        return None
    from warpbench.tune.run import default_problem
    try:
        wanted = dict(problem) if problem is not None else default_problem(spec, device)
        found = _best_stored(device, spec, wanted, path)
    except WarpbenchError as exc:
        debug(1, f"{spec.name}: tuned configs not read ({exc}): defaults")
        return None
    if found is None:
        return None
    config, stored, objective, value = found
    try:
        spec.resolve(config)
    except WarpbenchError as exc:
        debug(1, f"{spec.name}: stored tuned config no longer valid ({exc}): defaults")
        return None
    shown = ",".join(f"{k}={v}" for k, v in config.items())
    debug(1, f"{spec.name}: tuned config {shown} from {path} (tuned at {json.dumps(stored, sort_keys=True)} "
             f"on {device.kind}, {objective} {value * 1e6:.3f} µs)")
    return config


def _best_stored(device, spec: KernelSpec, wanted: Problem, path) -> tuple | None:
    props = device.properties
    identity = {"source_hash": source_hash(spec), "defines": json.dumps(dict(spec.extra_defines), sort_keys=True),
                "device": f"{device.kind}: {props.name}", "arch": props.arch}
    candidates = []
    with TuneDatabase(path) as db:
        for run, key in db.runs(spec.name):
            if key.compiler != key_compiler(key.objective) or any(getattr(key, n) != v for n, v in identity.items()):
                continue
            usable = [e for e in db.evaluations(run) if e.usable]
            if usable:
                best = min(usable, key=lambda e: e.value)
                stored = key.problem_dict
                candidates.append((problem_distance(wanted, stored), best.value, best.config, stored, key.objective))
    candidates = [c for c in candidates if math.isfinite(c[0])]
    if not candidates:
        return None
    _, value, config, stored, objective = min(candidates, key=lambda c: (c[0], c[1]))
    return config, stored, objective, value
