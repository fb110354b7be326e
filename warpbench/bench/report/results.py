"""results.json: one tidy row per timed case, one per tuned configuration, and the machine header.

Each bench row names the workload (``kernel``), the CUDA variant, the implementation (a cuda or
emu kernel, hostcode or numpy), device and dtype; every problem parameter is a column of
its own and the configuration a dict, so pandas or DuckDB can group and pivot the file
without parsing strings. Tuning rows (``"tuning"``) say the same of each configuration
stored for the report's devices, with the ``objective`` (``time`` or ``model``) next to its
``value_s``: a model's seconds are never in a column that says time.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

from warpbench.bench.suite import BenchRow

HOST_IMPLEMENTATIONS = ("hostcode", "numpy")
_SUFFIX = re.compile(r"^(?P<base>.*)\[(?P<impl>[^\]]+)\]$")


def implementation(row: BenchRow) -> str:
    """"hostcode" or "numpy" for the host rows (``gemm[numpy]``), else the device kind of the
    kernel ("cuda", "emu")."""
    match = _SUFFIX.match(row.kernel)
    return match.group("impl") if match else row.device


def variant(row: BenchRow) -> str | None:
    """The CUDA variant's registry name; None for host code and NumPy, which are per workload."""
    return None if _SUFFIX.match(row.kernel) else row.kernel


def workload(row: BenchRow) -> str:
    """The operation timed: the row's workload, else the name before ``[...]``."""
    match = _SUFFIX.match(row.kernel)
    return row.workload or (match.group("base") if match else row.kernel)


def label(row: BenchRow) -> str:
    """How charts name a row: the kernel as in the terminal table, then the problem."""
    return f"{row.kernel} {row.problem}".strip()


FIXED_COLUMNS = ("name", "kernel", "variant", "implementation", "device", "dtype", "problem", "config",
                 "samples", "median_s", "iqr_s", "gb_s", "gflop_s", "copy_gb_s", "fraction_of_copy",
                 "bytes", "flops", "error")


def _jsonable(value):
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def tidy_row(row: BenchRow) -> dict:
    """The row as flat columns (see :data:`FIXED_COLUMNS`); problem parameters follow as their
    own columns, prefixed ``param_`` only where a name would clash with a fixed column."""
    params = {k: v for k, v in row.params.items() if k != "dtype"}
    timed = not row.error and row.seconds > 0
    tidy = {
        "name": row.kernel, "kernel": workload(row), "variant": variant(row), "implementation": implementation(row),
        "device": row.device, "dtype": row.params.get("dtype"), "problem": row.problem,
        "config": dict(row.tunables), "samples": row.samples,
        "median_s": row.seconds if timed else None, "iqr_s": row.spread * row.seconds if timed else None,
        "gb_s": row.gbs if timed else None, "gflop_s": row.gflops if timed else None,
        "copy_gb_s": row.copy_gbs if timed else None, "fraction_of_copy": row.fraction_of_copy if timed else None,
        "bytes": row.gbs * row.seconds * 1e9 if timed else None,
        "flops": row.gflops * row.seconds * 1e9 if timed else None,
        "error": row.error or None,
    }
    for name, value in params.items():
        tidy[f"param_{name}" if name in FIXED_COLUMNS else name] = _jsonable(value)
    return tidy


TUNING_COLUMNS = ("kernel", "device", "arch", "dtype", "problem", "config", "status", "objective", "value_s",
                  "median_s", "iqr_s", "samples", "max_error", "reason", "default", "best", "stale")


def _finite(value):
    return value if value is not None and math.isfinite(value) else None


def tuning_rows(tunings) -> list[dict]:
    """One flat row per stored configuration of each :class:`~warpbench.tune.summary.DeviceTuning`
    (see :data:`TUNING_COLUMNS`); problem fields and the resources (``res_`` prefixed) follow as
    columns of their own; a never-written output's infinite error is null, its reason says why."""
    tidy = []
    for tuning in tunings:
        for run in tuning.runs:
            key, best = run.key, run.best
            problem = {k: v for k, v in key.problem_dict.items() if k != "dtype"}
            for e in run.evaluations:
                row = {"kernel": key.kernel, "device": key.device, "arch": key.arch, "dtype": key.dtype,
                       "problem": key.problem, "config": dict(e.config), "status": e.status,
                       "objective": key.objective, "value_s": _finite(e.value), "median_s": _finite(e.median),
                       "iqr_s": _finite(e.iqr), "samples": len(e.samples), "max_error": _finite(e.max_error),
                       "reason": e.reason or None, "default": e.config == run.default,
                       "best": best is not None and e.key == best.key, "stale": run.stale}
                row.update({f"param_{k}" if k in TUNING_COLUMNS else k: _jsonable(v) for k, v in problem.items()})
                row.update({f"res_{k}": _jsonable(v) for k, v in e.resources.items()})
                tidy.append(row)
    return tidy


def write_results(path: Path, rows: list[BenchRow], header: dict[str, str], tunings=()) -> None:
    """results.json: ``{"meta": header, "rows": [tidy rows], "tuning": [tuning rows]}``."""
    path.write_text(json.dumps({"meta": header, "rows": [tidy_row(r) for r in rows],
                                "tuning": tuning_rows(tunings)}, indent=2))
