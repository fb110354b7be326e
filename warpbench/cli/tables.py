"""What the commands print on stdout: markdown tables (tabulate's github format, readable in a
terminal and in report.md) or, with ``--json``, the rows themselves and nothing else."""
from __future__ import annotations

import json
import math

from warpbench.bench.report.tables import bench_table, table

__all__ = ["assignments", "bench_table", "check_table", "compile_table", "list_table", "print_json", "table"]


def print_json(rows: list[dict]) -> None:
    """The rows as one JSON array on stdout; NaN and infinities become null, which JSON lacks."""
    print(json.dumps([_finite(row) for row in rows], indent=2))


def _finite(value):
    if isinstance(value, dict):
        return {key: _finite(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def assignments(values: dict) -> str:
    """``{"A": 1, "B": 2}`` as ``A=1,B=2``."""
    return ",".join(f"{k}={v}" for k, v in values.items())


def list_table(rows: list[dict]) -> str:
    """The variants of ``check --list``: family, workload, tunables, restrictions as written, summary."""
    body = [[r["kernel"], r["family"], r["workload"], ",".join(r["dtypes"]),
             " ".join(f"{name}∈{{{','.join(map(str, values))}}}" for name, values in r["tunables"].items()),
             "; ".join(r["restrictions"]), r["summary"]] for r in rows]
    return table(["kernel", "family", "workload", "dtypes", "tunables", "restrictions", "summary"], body)


def check_table(rows: list[dict]) -> str:
    """The table of ``check``, then one ``FAIL`` line per failure."""
    body = []
    for r in rows:
        shown = r["problems"][:4]
        problems = ", ".join(shown) + (f", … ({len(r['problems'])})" if len(r["problems"]) > 4 else "")
        worst = "" if r["max_abs_err"] is None else f"{r['max_abs_err']:.2e}"
        body.append([r["kernel"], r["device"], assignments(r["config"]), f"{r['passed']}/{len(r['problems'])}",
                     worst, problems, r["status"]])
    text = table(["kernel", "device", "config", "passed", "max abs err", "problems", "status"], body)
    return "\n".join([text, *(f"FAIL {line}" for r in rows for line in r["failures"])])


def compile_table(rows: list[dict]) -> str:
    """The table of ``check --compile``: nvcc's resources and the occupancy per arch."""
    body = []
    for r in rows:
        occupancy = "" if r["occupancy"] is None else f"{r['occupancy']:.2f} ({r['limiter']})"
        body.append([r["kernel"], r["arch"], r["registers"], r["static_shared"], r["dynamic_shared"],
                     r["spill_bytes"], r["threads"], occupancy, r["status"]])
    headers = ["kernel", "arch", "regs", "static smem", "dyn smem", "spill B", "threads", "occupancy", "status"]
    return table(headers, body)
