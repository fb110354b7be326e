"""What the commands print on stdout: markdown tables (tabulate's github format, readable in a
terminal and in report.md) or, with ``--json``, the rows themselves and nothing else."""
from __future__ import annotations

import json
import math

from tabulate import tabulate

from warpbench.bench.report import fmt_seconds


def table(headers: list[str], rows: list[list]) -> str:
    """A markdown table; cells are shown as given (no number parsing), None as empty."""
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True, missingval="")


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


def bench_table(rows) -> str:
    """The table of ``bench`` (BenchRows); a failed case shows its error in the config column."""
    body = []
    for r in rows:
        if r.error:
            body.append([r.kernel, r.device, r.problem, f"error: {r.error}"])
            continue
        body.append([r.kernel, r.device, r.problem, r.config, fmt_seconds(r.seconds), f"{r.spread * 100:.1f}%",
                     f"{r.gbs:.1f}", f"{r.gflops:.1f}" if r.gflops else "", f"{r.copy_gbs:.1f}",
                     f"{r.fraction_of_copy:.2f}"])
    headers = ["kernel", "device", "problem", "config", "time", "±", "GB/s", "GFLOP/s", "copy GB/s", "× copy"]
    return table(headers, body)
