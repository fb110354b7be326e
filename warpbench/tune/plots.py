"""Charts of tuning runs, as SVG files: what the tunables do, what occupancy does, what tuning gains.

* ``<kernel>-heatmap.svg``: the objective over the two tunables with the most values (every
  other tunable minimised away; :func:`warpbench.bench.report.tuning.heatmap`);
* ``<kernel>-occupancy.svg``: the objective of each correct configuration against its
  theoretical occupancy, the best one marked;
* ``speedup.svg``: per kernel tuned on the device, the default configuration's objective
  over the best one's.

Every axis and title names the objective: ``time`` on a GPU, ``model`` on the emulator.
"""
from __future__ import annotations

from pathlib import Path

from warpbench.bench.report.charts import FASTER, ROOF_COLOR, heatmap_chart, to_svg
from warpbench.bench.report.tuning import heatmap
from warpbench.tune.database import RunKey
from warpbench.tune.record import Evaluation

LABELS = {"time": "median time", "model": "modelled time (model, not measured)"}


def objective_label(objective: str) -> str:
    """How charts name ``objective`` (an objective without a label is named as it is)."""
    return LABELS.get(objective, objective)


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def heatmap_svg(key: RunKey, evaluations: list[Evaluation]) -> str | None:
    """The heatmap of a run's correct configurations (None when none has a tunable)."""
    found = heatmap(key.kernel, [(e.config, e.value) for e in evaluations if e.usable])
    if found is None:
        return None
    return heatmap_chart(key.kernel, found.x_name, found.y_name, list(found.xs), list(found.ys),
                         [list(row) for row in found.grid], objective_label(key.objective))


def occupancy_svg(key: RunKey, evaluations: list[Evaluation]) -> str | None:
    """The objective (µs) against theoretical occupancy, one point per correct configuration."""
    points = [(e.resources.get("occupancy"), e.value, e) for e in evaluations if e.usable]
    points = [p for p in points if p[0] is not None]
    if not points:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.scatter([p[0] for p in points], [p[1] * 1e6 for p in points], s=14, color=FASTER)
    best = min(points, key=lambda p: p[1])
    ax.scatter([best[0]], [best[1] * 1e6], s=60, facecolors="none", edgecolors=ROOF_COLOR, linewidths=1.5,
               label=f"best: {best[2].key}")
    ax.set_xlabel("theoretical occupancy (ptxas registers and shared memory)")
    ax.set_ylabel(f"{key.objective} (µs per launch)")
    ax.set_title(f"{key.kernel}: {objective_label(key.objective)} vs occupancy", fontsize=8)
    ax.legend(fontsize=6, loc="upper right")
    ax.grid(alpha=0.3)
    return to_svg(fig)


def speedup_svg(gains: list[tuple[str, float]], objective: str) -> str | None:
    """Bars of default / best per kernel (None without any)."""
    if not gains:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 0.3 * len(gains) + 1.2))
    positions = list(range(len(gains)))[::-1]
    ax.barh(positions, [g for _, g in gains], color=FASTER)
    for position, (_, gain) in zip(positions, gains):
        ax.annotate(f" {gain:.3g}×", (gain, position), va="center", fontsize=7)
    ax.axvline(1.0, color="#333333", linewidth=0.8)
    ax.set_yticks(positions, [name for name, _ in gains], fontsize=7)
    ax.set_xlabel(f"best config's speed-up over the default ({objective}; right of 1 is faster)")
    ax.grid(axis="x", alpha=0.3)
    return to_svg(fig)


def device_gains(database: Path | str | None, device: str, objective: str) -> list[tuple[str, float]]:
    """(kernel, default / best) for every registry kernel tuned on ``device`` by ``objective``
    (of each kernel, the run with the most configurations: :func:`warpbench.tune.summary.device_runs`)."""
    from warpbench.tune.summary import device_runs
    return [(run.key.kernel, run.speedup) for run in device_runs(device, database, objective)
            if run.speedup is not None]


def write_plots(folder: Path | str, key: RunKey, evaluations: list[Evaluation],
                gains: list[tuple[str, float]]) -> list[Path]:
    """Write the charts of one run (and the speed-ups ``gains`` of the device's kernels) under
    ``folder``; returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    charts = {f"{key.kernel}-heatmap.svg": heatmap_svg(key, evaluations),
              f"{key.kernel}-occupancy.svg": occupancy_svg(key, evaluations),
              "speedup.svg": speedup_svg(gains, key.objective)}
    written = []
    for name, svg in charts.items():
        if svg is not None:
            (folder / name).write_text(svg)
            written.append(folder / name)
    return written
