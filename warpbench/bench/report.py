"""Tables for the terminal and report/ (markdown, JSON and a PNG chart)."""
from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path

from warpbench.bench.suite import BenchRow


def table(headers: list[str], rows: list[list]) -> str:
    """A markdown table (also readable in a terminal) with columns padded to width."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    def line(values):
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths)) + " |"
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells)])


def fmt_seconds(seconds: float) -> str:
    """Seconds with a unit that keeps three significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


BENCH_HEADERS = ["kernel", "device", "problem", "config", "time", "±", "GB/s", "GFLOP/s", "copy GB/s",
                 "× copy"]


def bench_table(rows: list[BenchRow]) -> str:
    """The benchmark table; failed cases show their error in the config column."""
    body = []
    for r in rows:
        if r.error:
            body.append([r.kernel, r.device, r.problem, f"error: {r.error}", "", "", "", "", "", ""])
            continue
        body.append([r.kernel, r.device, r.problem, r.config, fmt_seconds(r.seconds), f"{r.spread * 100:.1f}%",
                     f"{r.gbs:.1f}", f"{r.gflops:.1f}" if r.gflops else "", f"{r.copy_gbs:.1f}",
                     f"{r.fraction_of_copy:.2f}"])
    return table(BENCH_HEADERS, body)


def git_commit() -> str:
    """Short hash of HEAD, or "unknown" outside a git checkout."""
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return run.stdout.strip() if run.returncode == 0 else "unknown"


def write_report(folder: Path, sections: dict[str, str], rows: list[BenchRow], meta: dict) -> list[Path]:
    """Write report.md, results.json and bandwidth.png under ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "commit": git_commit(), **meta}
    md = ["# warpbench report\n", *(f"- {k}: {v}" for k, v in meta.items()), ""]
    for title, text in sections.items():
        md += [f"## {title}\n", text, ""]
    paths = [folder / "report.md", folder / "results.json", folder / "bandwidth.png"]
    paths[0].write_text("\n".join(md))
    paths[1].write_text(json.dumps({"meta": meta, "rows": [r.as_dict() for r in rows]}, indent=2))
    _chart(paths[2], [r for r in rows if not r.error])
    return paths


def _chart(path: Path, rows: list[BenchRow]) -> None:
    """Horizontal bars of GB/s, one row per case, labelled with the fraction of a same-run copy."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"numpy": "#999999", "hostcode": "#dd8452", "kernel": "#4c72b0"}
    def kind(row):
        return next((k for k in ("numpy", "hostcode") if row.kernel.endswith(f"[{k}]")), "kernel")

    fig, ax = plt.subplots(figsize=(10, 0.24 * len(rows) + 1.2))
    positions = range(len(rows))[::-1]
    bars = ax.barh(list(positions), [r.gbs for r in rows], color=[colors[kind(r)] for r in rows])
    for bar, r in zip(bars, rows):
        ax.annotate(f" {r.fraction_of_copy:.2f}× copy", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    va="center", fontsize=6)
    ax.set_yticks(list(positions), [f"{r.kernel} ({r.device}) {r.problem}" for r in rows], fontsize=6)
    ax.set_xlabel("GB/s (read + write); label: fraction of a same-run copy of the same bytes")
    ax.legend(handles=[matplotlib.patches.Patch(color=c, label=k) for k, c in colors.items()], fontsize=7,
              loc="lower right")
    ax.margins(y=0.01)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
