"""Text tables: markdown pipe tables (tabulate's github format) that also read well in a terminal."""
from __future__ import annotations

from tabulate import tabulate

from warpbench.bench.suite import BenchRow


def table(headers: list[str], rows: list[list]) -> str:
    """A markdown table; cells are shown as given (no number parsing), None as empty."""
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True, missingval="")


def fmt_seconds(seconds: float) -> str:
    """Seconds with a unit that keeps three significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


BENCH_HEADERS = ["kernel", "device", "problem", "config", "time", "±", "GB/s", "GFLOP/s", "copy GB/s",
                 "× copy"]


def bench_table(rows: list[BenchRow]) -> str:
    """The benchmark table (``warpbench bench``, report.md); failed cases show their error in the
    config column."""
    body = []
    for r in rows:
        if r.error:
            body.append([r.kernel, r.device, r.problem, f"error: {r.error}", "", "", "", "", "", ""])
            continue
        body.append([r.kernel, r.device, r.problem, r.config, fmt_seconds(r.seconds), f"{r.spread * 100:.1f}%",
                     f"{r.gbs:.1f}", f"{r.gflops:.1f}" if r.gflops else "", f"{r.copy_gbs:.1f}",
                     f"{r.fraction_of_copy:.2f}"])
    return table(BENCH_HEADERS, body)
