"""The report's charts as inline SVG text: rooflines, per-metric bars, speed-ups, config heatmaps.

Every chart is a matplotlib figure rendered to SVG with its text kept as text, so the HTML
page embeds it with no network and no image files, and a browser can search it. Bars are
horizontal on a log axis, because one report mixes compute-bound GEMMs at hundreds of
GFLOP/s with copies near 1 GB/s; legends list only the implementations a chart shows.
"""
from __future__ import annotations

import io
import math

from warpbench.bench.report.results import implementation, label
from warpbench.bench.report.roofline import Point, Roof, gbs
from warpbench.bench.suite import BenchRow

#: One colour per implementation, in legend order; the browser test looks for them.
COLORS = {"cuda": "#4c72b0", "emu": "#55a868", "hostcode": "#dd8452", "numpy": "#8c8c8c"}
ROOF_COLOR = "#c44e52"
FASTER, SLOWER = "#2a9d8f", "#e76f51"


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def to_svg(fig) -> str:
    """The figure as an ``<svg>`` element (no XML prolog, text as text); closes the figure."""
    plt = _pyplot()
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _legend(ax, kinds) -> None:
    import matplotlib.patches as patches
    shown = [k for k in COLORS if k in kinds]
    if shown:
        ax.legend(handles=[patches.Patch(color=COLORS[k], label=k) for k in shown], fontsize=7, loc="upper left",
                  bbox_to_anchor=(1.01, 1.0))


def _color(kind: str) -> str:
    return COLORS.get(kind, "#333333")


def metric_chart(rows: list[BenchRow], metric: str, xlabel: str) -> str | None:
    """Horizontal bars of ``metric`` ("gbs" or "gflops") per timed row with a non-zero value, log
    axis, value printed at each bar; None when no row has one."""
    shown = [r for r in rows if not r.error and getattr(r, metric) > 0]
    if not shown:
        return None
    plt = _pyplot()
    values = [getattr(r, metric) for r in shown]
    fig, ax = plt.subplots(figsize=(9, 0.26 * len(shown) + 1.1))
    positions = list(range(len(shown)))[::-1]
    bars = ax.barh(positions, values, color=[_color(implementation(r)) for r in shown])
    for bar, value in zip(bars, values):
        ax.annotate(f" {value:.3g}", (bar.get_width(), bar.get_y() + bar.get_height() / 2), va="center", fontsize=6)
    ax.set_xscale("log")
    low, high = min(values), max(values)
    ax.set_xlim(10 ** math.floor(math.log10(low)), 10 ** (math.ceil(math.log10(high)) + 0.3))
    ax.set_yticks(positions, [label(r) for r in shown], fontsize=6)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", which="major", alpha=0.3)
    _legend(ax, {implementation(r) for r in shown})
    ax.margins(y=0.01)
    return to_svg(fig)


def roofline_chart(roof: Roof, points: list[Point]) -> str:
    """Log-log roofline of ``roof`` with each point; hollow markers are placed, not measured."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.8))
    intensities = [p.intensity for p in points] or [roof.ridge]
    low = 10 ** math.floor(math.log10(min(min(intensities), roof.ridge) / 2))
    high = 10 ** math.ceil(math.log10(max(max(intensities), roof.ridge) * 2))
    xs = [low, roof.ridge, high]
    ax.plot(xs, [roof.attainable(x) for x in xs], color=ROOF_COLOR, linewidth=2)
    ax.annotate(f"{gbs(roof.bandwidth_gbs)} GB/s ({roof.bandwidth_source})", (low, roof.attainable(low)),
                xytext=(4, 6), textcoords="offset points", fontsize=7, color=ROOF_COLOR, rotation=0)
    ax.annotate(f"{gbs(roof.peak_gflops)} GFLOP/s ({roof.peak_source})", (roof.ridge, roof.peak_gflops),
                xytext=(4, 5), textcoords="offset points", fontsize=7, color=ROOF_COLOR)
    for point in points:
        color = _color(point.implementation)
        ax.scatter([point.intensity], [point.gflops], s=28, zorder=3, edgecolors=color,
                   facecolors=color if point.measured else "none", linewidths=1.2)
        ax.annotate(point.label, (point.intensity, point.gflops), xytext=(4, -3), textcoords="offset points",
                    fontsize=5.5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    floor = min([p.gflops for p in points] + [roof.attainable(low)])
    ax.set_ylim(floor / 3, roof.peak_gflops * 4)
    ax.set_xlim(low, high)
    ax.set_xlabel("arithmetic intensity (FLOP/byte, from the cost model)")
    ax.set_ylabel("GFLOP/s")
    ax.set_title(roof.device, fontsize=9)
    ax.grid(which="major", alpha=0.3)
    _legend(ax, {p.implementation for p in points})
    return to_svg(fig)


def speedup_chart(pairs: list[tuple[str, float]]) -> str | None:
    """Bars of host code's speed-up over NumPy (NumPy time / host-code time) per case, log axis
    centred on 1×; None without pairs."""
    if not pairs:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.26 * len(pairs) + 1.1))
    positions = list(range(len(pairs)))[::-1]
    values = [s for _, s in pairs]
    bars = ax.barh(positions, [s - 1.0 for s in values], left=1.0,
                   color=[FASTER if s >= 1 else SLOWER for s in values])
    for bar, value in zip(bars, values):
        ax.annotate(f" {value:.3g}×", (value, bar.get_y() + bar.get_height() / 2), va="center", fontsize=6)
    ax.set_xscale("log")
    span = max(max(max(values), 1 / min(values)) * 2, 4)
    ax.set_xlim(1 / span, span)
    ax.axvline(1.0, color="#333333", linewidth=0.8)
    ax.set_yticks(positions, [name for name, _ in pairs], fontsize=6)
    ax.set_xlabel("host code speed-up over NumPy (× ; right of 1 is faster)")
    ax.grid(axis="x", which="major", alpha=0.3)
    return to_svg(fig)


def heatmap_chart(kernel: str, x_name: str, y_name: str, xs: list, ys: list, grid: list[list[float | None]],
                  measure: str = "median time") -> str:
    """Median seconds (or what ``measure`` names, e.g. a model's) over two tunables (missing
    cells blank), the fastest cell outlined."""
    import numpy as np
    plt = _pyplot()
    values = np.array([[math.nan if v is None else v for v in row] for row in grid], dtype=float)
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * len(xs), 1.0 + 0.5 * len(ys)))
    image = ax.imshow(values, cmap="viridis_r", aspect="auto")
    ax.set_xticks(range(len(xs)), [str(x) for x in xs], fontsize=7)
    ax.set_yticks(range(len(ys)), [str(y) for y in ys], fontsize=7)
    ax.set_xlabel(x_name)
    ax.set_ylabel(y_name)
    ax.set_title(f"{kernel}: {measure} (lower is better)", fontsize=8)
    best = np.unravel_index(np.nanargmin(values), values.shape)
    for (i, j), value in np.ndenumerate(values):
        if not math.isnan(value):
            ax.text(j, i, f"{value * 1e6:.3g}µs", ha="center", va="center", fontsize=6,
                    fontweight="bold" if (i, j) == best else "normal", color="white")
    ax.add_patch(plt.Rectangle((best[1] - 0.5, best[0] - 0.5), 1, 1, fill=False, edgecolor=ROOF_COLOR, linewidth=2))
    fig.colorbar(image, ax=ax, label="seconds")
    return to_svg(fig)
