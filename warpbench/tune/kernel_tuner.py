"""Kernel Tuner's ``tune_kernel`` for kernels outside the registry: change one import.

As in Kernel Tuner, every tunable is injected as a ``#define``, the thread block comes from
``block_size_x/y/z`` (or ``block_size_names``; 256, 1, 1 when not tuned, and defined all
the same), the grid is ``problem_size`` divided by the product of the ``grid_div_*``
tunables (default: the block size along that axis), restrictions are expressions over the
tunables or Python functions (function_restriction.py), ``answer`` lists the expected
contents of each argument (None: not checked) and ``verify(answer, result_host, atol=...)``,
when given, decides instead of the elementwise ``atol``.
The arguments are NumPy arrays and NumPy scalars in the kernel's parameter order.

What differs: answered arguments start poisoned (NaN) instead of holding their initial
contents, so an element the kernel forgets is caught; a wrong answer marks the
configuration failed instead of stopping the run; configurations are pruned statically;
and without a GPU the objective is ``model``, never ``time``. The model takes the
arguments' bytes as the ideal DRAM traffic and has no FLOP count; the sectors and
wavefronts it weighs are counted as for registry kernels. Kernel Tuner's options for
other languages, constant and texture memory, observers and metrics are not supported.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from warpbench.cache import digest
from warpbench.errors import ConfigError, DTypeError, ShapeError
from warpbench.kernels.restriction import Restriction
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Tunable, Workload, cdiv, launch
from warpbench.kernels.user import parse_signature
from warpbench.tune.function_restriction import FunctionRestriction, function_digest
from warpbench.tune.record import FAILED, PRUNED, config_label
from warpbench.tune.run import tune

DEFAULT_BLOCK = (256, 1, 1)
#: Kernel Tuner's names for its search strategies, as ours.
STRATEGY_NAMES = {None: "auto", "brute_force": "brute_force", "random_sample": "random", "bayes_opt": "tpe"}
#: Kernel Tuner options accepted and ignored: they only matter to its own backends and output.
IGNORED = {"verbose", "lang", "platform", "quiet", "log", "iterations", "compiler", "compiler_options", "cache",
           "simulation_mode", "objective_higher_is_better", "metrics", "observers"}


def _source(kernel_source) -> str:
    if callable(kernel_source):
        raise ConfigError("tune_kernel: kernel_source must be CUDA text or a file name, not a code generator")
    text = str(kernel_source)
    if "\n" not in text and len(text) < 4096 and Path(text).is_file():
        return Path(text).read_text()
    return text


def _dims(problem_size) -> tuple[int, int, int]:
    sizes = (problem_size,) if isinstance(problem_size, (int, np.integer)) else tuple(problem_size)
    if not 1 <= len(sizes) <= 3 or not all(isinstance(s, (int, np.integer)) and s >= 0 for s in sizes):
        raise ShapeError(f"tune_kernel: problem_size must be 1 to 3 sizes >= 0, got {problem_size!r}")
    return tuple(int(s) for s in sizes) + (1,) * (3 - len(sizes))


def _tunables(kernel_name: str, tune_params: dict) -> tuple[Tunable, ...]:
    tunables = []
    for name, values in tune_params.items():
        values = tuple(int(v) if isinstance(v, np.integer) else v for v in values)
        if not values or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise ConfigError(f"{kernel_name}: tune_params[{name!r}] = {list(values)}: only integer values "
                              f"can be #defined")
        tunables.append(Tunable(name, values, values[0]))
    return tuple(tunables)


def _divisor(kernel_name: str, axis: str, div, config: dict) -> int:
    terms = div if isinstance(div, (list, tuple)) else [div]
    product = 1
    for term in terms:
        if isinstance(term, (int, np.integer)):
            product *= int(term)
        elif callable(term):
            product *= int(term(config))
        else:
            product *= int(Restriction(str(term)).value(config))
    if product < 1:
        raise ConfigError(f"{kernel_name}: grid_div_{axis} {div!r} is {product} for {config_label(config)}")
    return product


def _geometry(kernel_name, dims, names, divs):
    def geometry(problem, config, props):
        full = {**dict(zip(names, DEFAULT_BLOCK)), **config}
        block = tuple(int(full[name]) for name in names)
        divisors = [divs[axis] if divs[axis] is not None else [names[axis]] for axis in range(3)]
        grid = tuple(max(1, cdiv(size, _divisor(kernel_name, "xyz"[axis], divisors[axis], full)))
                     for axis, size in enumerate(dims))
        return launch(grid, block)
    return geometry


def _roles(kernel_name: str, params: tuple[Param, ...], arguments: list, answer) -> tuple[Param, ...]:
    if len(arguments) != len(params):
        raise ShapeError(f"{kernel_name}: {len(arguments)} arguments for {len(params)} parameters "
                         f"({', '.join(p.name for p in params)})")
    if answer is not None and len(answer) != len(params):
        raise ShapeError(f"{kernel_name}: answer has {len(answer)} entries for {len(params)} arguments")
    roles = []
    for index, (param, argument) in enumerate(zip(params, arguments)):
        expected = answer[index] if answer is not None else None
        if param.is_pointer:
            got = np.dtype(getattr(argument, "dtype", object))
            if not isinstance(argument, np.ndarray) or got != param.dtype({}):
                raise DTypeError(f"{kernel_name}: argument {index} ({param.ctype} {param.name}) needs a "
                                 f"{param.dtype({}).name} NumPy array, got {type(argument).__name__} of {got.name}")
            if expected is not None and np.shape(expected) != argument.shape:
                raise ShapeError(f"{kernel_name}: answer {index} has shape {np.shape(expected)}, argument "
                                 f"{param.name} {argument.shape}")
            roles.append(Param(param.name, param.ctype, OUT if expected is not None else IN))
        else:
            roles.append(param)
    return tuple(roles)


def _accept(params, verify, atol: float):
    """Kernel Tuner's ``verify(answer, result_host, atol=...)`` over outputs given by name: both
    lists follow the kernel's arguments, None where an argument has no answer."""
    if verify is None:
        return None
    if not callable(verify):
        raise ConfigError(f"tune_kernel: verify must be a function (answer, result_host, atol), got {verify!r}")

    def accept(expected: dict, got: dict) -> bool:
        return bool(verify([expected.get(p.name) for p in params], [got.get(p.name) for p in params], atol=atol))
    return accept


def _workload(kernel_name, params, arguments, answer, atol, description, verify=None) -> Workload:
    arrays = {p.name: np.asarray(a) for p, a in zip(params, arguments) if p.is_pointer}
    expected = {p.name: np.asarray(answer[i]) for i, p in enumerate(params) if p.role == OUT}
    nbytes = float(sum(a.nbytes for a in arrays.values()))
    return Workload(
        name=kernel_name, params=params,
        make_inputs=lambda problem, rng: {p.name: arrays[p.name].copy() for p in params
                                          if p.role == IN and p.is_pointer},
        output_shapes=lambda problem: {name: (arrays[name].shape, arrays[name].dtype) for name in expected},
        reference=lambda problem, inputs: dict(expected),
        problem_of=lambda given, scalars: dict(scalars), flops=lambda problem: 0.0,
        bytes_moved=lambda problem: nbytes, check_problems=(), bench_problems=(),
        describe=lambda problem: description, tolerance=lambda problem: (1e-5, atol),
        accept=_accept(params, verify, atol))


def tune_kernel(kernel_name: str, kernel_source, problem_size, arguments: list, tune_params: dict,
                grid_div_x=None, grid_div_y=None, grid_div_z=None, restrictions=None, answer=None,
                atol: float = 1e-6, block_size_names=None, device=None, strategy: str | None = None,
                strategy_options: dict | None = None, defines: dict | None = None, objective: str | None = None,
                seed: int = 0, database=None, verify=None, **options):
    """Tune a CUDA kernel the way Kernel Tuner does (see the module docstring); returns
    ``(results, env)``: one dict per configuration (its tunables, the objective in
    milliseconds under ``time`` or ``model``, ``times``, ``status`` and ``reason``; a pruned
    or failed one has an error name as its objective, as in Kernel Tuner) and the run's
    environment (device, problem size, objective, strategy, best config, database)."""
    unknown = sorted(set(options) - IGNORED)
    if unknown:
        raise ConfigError(f"tune_kernel: unsupported option(s) {', '.join(unknown)}")
    if strategy not in STRATEGY_NAMES:
        raise ConfigError(f"tune_kernel: strategy {strategy!r} is not supported "
                          f"(supported: {', '.join(str(s) for s in STRATEGY_NAMES)})")
    code, dims = _source(kernel_source), _dims(problem_size)
    given = tuple(block_size_names or ())[:3]
    names = given + ("block_size_x", "block_size_y", "block_size_z")[len(given):]
    tunables = _tunables(kernel_name, tune_params)
    params = _roles(kernel_name, parse_signature(code, kernel_name), list(arguments), answer)
    scalars = {p.name: (a.item() if hasattr(a, "item") else a) for p, a in zip(params, arguments) if not p.is_pointer}
    described = f"problem_size={'x'.join(map(str, dims))}"
    workload = _workload(kernel_name, params, arguments, answer, atol, described, verify)
    fixed = {name: size for name, size in zip(names, DEFAULT_BLOCK) if name not in tune_params}
    spec = KernelSpec(name=kernel_name, workload=workload, source=f"{kernel_name}.cu", entry=kernel_name,
                      geometry=_geometry(kernel_name, dims, names, (grid_div_x, grid_div_y, grid_div_z)),
                      tunables=tunables, restrictions=_restrictions(restrictions, tune_params), summary="tune_kernel",
                      dtypes=("float32",), extra_defines={**fixed, **(defines or {})}, code=code)
    spec = _first_valid_default(spec)
    budget = (strategy_options or {}).get("max_fevals")
    time_limit = (strategy_options or {}).get("time_limit")
    problem = {"problem_size": list(dims), **scalars, "answer_sha256": _answer_digest(answer, atol, verify)}
    result = tune(spec, problem, device=None if isinstance(device, int) else device,
                  strategy=STRATEGY_NAMES[strategy], budget=budget, time_limit=time_limit, objective=objective,
                  seed=seed, database=database)
    space = {config_label(c) for c in spec.space()}
    return _results(result, space), _env(result, dims, space)


def _restrictions(restrictions, tune_params: dict) -> tuple:
    """Kernel Tuner's restrictions: one function, or a list of expressions and functions."""
    given = [restrictions] if callable(restrictions) else list(restrictions or ())
    names = tuple(tune_params)
    return tuple(FunctionRestriction(r, names) if callable(r) else r for r in given)


def _first_valid_default(spec: KernelSpec) -> KernelSpec:
    """``spec`` with the first configuration of its space as the default: each tunable's
    first value may break a restriction (``block_size_x >= 64`` over [32, 64, 128]), which
    Kernel Tuner accepts."""
    space = spec.space()
    if not space or space[0] == spec.default_config:
        return spec
    return replace(spec, tunables=tuple(replace(t, default=space[0][t.name]) for t in spec.tunables))


def _answer_digest(answer, atol: float, verify=None) -> str:
    """What the stored verdicts depend on beyond the source and problem: a changed answer,
    tolerance or verify function is a new run, never a resumed one (16 hex digits)."""
    parts: list = [atol, None if verify is None else function_digest(verify)]
    for expected in answer or ():
        array = None if expected is None else np.ascontiguousarray(expected)
        parts += [None] if array is None else [array.dtype.str, array.shape, array.tobytes()]
    return digest(*parts)[:16]


def _results(result, space: set[str]) -> list[dict]:
    """One Kernel Tuner result dict per configuration of this call's space (the database may
    also hold configurations of earlier calls with other tune_params)."""
    found = []
    for e in result.evaluations:
        if config_label(e.config) not in space:
            continue
        if e.usable:
            value, times = e.value * 1e3, [s * 1e3 for s in e.samples]
        else:
            value, times = ("InvalidConfig" if e.status == PRUNED else "CompilationFailedConfig"
                            if e.reason.startswith("compile") else "RuntimeFailedConfig"), []
        found.append({**e.config, result.objective: value, "times": times, "status": e.status,
                      "reason": e.reason, "max_error": e.max_error if e.status == FAILED else None})
    return found


def _env(result, dims, space: set[str]) -> dict:
    usable = [e for e in result.evaluations if e.usable and config_label(e.config) in space]
    best = min(usable, key=lambda e: e.value) if usable else None
    return {"device_name": result.key.device, "arch": result.key.arch, "compiler": result.key.compiler,
            "problem_size": list(dims), "objective": result.objective, "strategy": result.strategy,
            "best_config": dict(best.config) if best else None, "database": str(result.database),
            "notes": list(result.notes), "kernel_string_hash": result.key.source_hash}

