"""The report's tuning sections, and config heatmaps: a kernel's objective over two tunables.

Sections come from :func:`warpbench.tune.summary.device_tuning` (what the tuner's database
holds for a device); their charts are ``warpbench tune --plot``'s (:mod:`warpbench.tune.plots`),
labelled with the objective (``time`` on a GPU, ``model`` on the emulator). A device with
nothing tuned gets one line saying how to tune.

A heatmap's input is what any tuner database reduces to, a list of ``(config dict, seconds)``
rows per kernel. The two tunables with the most distinct values span the map; every other
tunable is minimised away (a cell shows the best time over them), so the map reads "how
fast can this kernel be with these two values". A kernel with a single tunable gets a
one-row map.
"""
from __future__ import annotations

from dataclasses import dataclass

from warpbench.bench.report.tables import fmt_seconds

TuningRows = list[tuple[dict, float]]


@dataclass(frozen=True)
class Heatmap:
    """Best seconds on a grid of two tunables (``y`` rows, ``x`` columns); None where untried."""

    kernel: str
    x_name: str
    y_name: str
    xs: tuple
    ys: tuple
    grid: tuple[tuple[float | None, ...], ...]

    @property
    def best(self) -> tuple[dict, float]:
        """The fastest cell as ({tunable: value}, seconds)."""
        cells = [((y, x), v) for y, row in zip(self.ys, self.grid) for x, v in zip(self.xs, row) if v is not None]
        (y, x), seconds = min(cells, key=lambda cell: cell[1])
        return {self.x_name: x, **({self.y_name: y} if self.y_name else {})}, seconds


def heatmap(kernel: str, rows: TuningRows) -> Heatmap | None:
    """The heatmap of ``rows`` (None when no row has a tunable or a positive time)."""
    rows = [(config, seconds) for config, seconds in rows if config and seconds > 0]
    if not rows:
        return None
    values: dict[str, set] = {}
    for config, _ in rows:
        for name, value in config.items():
            values.setdefault(name, set()).add(value)
    ranked = sorted(values, key=lambda name: -len(values[name]))
    x_name, y_name = ranked[0], (ranked[1] if len(ranked) > 1 else "")
    xs = tuple(sorted(values[x_name]))
    ys = tuple(sorted(values[y_name])) if y_name else ("",)
    best: dict[tuple, float] = {}
    for config, seconds in rows:
        key = (config.get(y_name, "") if y_name else "", config.get(x_name))
        best[key] = min(seconds, best.get(key, seconds))
    grid = tuple(tuple(best.get((y, x)) for x in xs) for y in ys)
    return Heatmap(kernel, x_name, y_name, xs, ys, grid)


#: What each objective is, in the report's words.
OBJECTIVES = {"time": "median seconds per launch, measured on the GPU",
              "model": "seconds per launch as a model of the emulated GPU predicts them (a model, not a measurement)"}


def _value(objective: str, evaluation) -> str:
    return "" if evaluation is None else f"{objective} {fmt_seconds(evaluation.value)}"


def summary_table(tuning) -> list:
    """Per kernel of a :class:`~warpbench.tune.summary.DeviceTuning`: its problem, how its
    configurations ended, the default's and the best's objective, and the speed-up."""
    from warpbench.tune.record import config_label
    rows = []
    for run in tuning.runs:
        best, default = run.best, run.default_evaluation
        rows.append([run.key.kernel, config_label(run.key.problem_dict), len(run.evaluations), run.count("verified"),
                     run.count("failed"), run.count("pruned"), _value(tuning.objective, default),
                     best.key if best else "none correct", _value(tuning.objective, best),
                     f"{run.speedup:.3g}×" if run.speedup else "",
                     "source changed since" if run.stale else ""])
    return rows


def device_sections(tuning) -> list:
    """The sections of one device: a summary with the speed-up chart, then per kernel its
    heatmap and its objective against occupancy (the charts of ``warpbench tune --plot``)."""
    from warpbench.bench.report.document import Chart, Section, Table, Text
    from warpbench.tune.plots import heatmap_svg, objective_label, occupancy_svg, speedup_svg
    title = f"Tuning on {tuning.device}"
    if not tuning.runs:
        return [Section(title, [Text(tuning.hint)])]
    objective, kind = tuning.objective, tuning.kind
    parts = [Text(f"Configurations ranked by {objective}: {OBJECTIVES.get(objective, objective)}. Per kernel, the "
                  f"run with the most configurations in {tuning.database}.")]
    gains = [(run.key.kernel, run.speedup) for run in tuning.runs if run.speedup is not None]
    svg = speedup_svg(gains, objective)
    if svg:
        parts.append(Chart(f"tuning-speedup-{kind}", f"Best config over the default on {kind} ({objective})", svg))
    parts.append(Table(["kernel", "problem", "configs", "ranked", "failed", "pruned", "default", "best config",
                        "best", "speed-up", "note"], summary_table(tuning)))
    sections = [Section(title, parts)]
    for run in tuning.runs:
        charts = [(f"tuning-{kind}-{run.key.kernel}-heatmap", heatmap_svg(run.key, run.evaluations),
                   f"{run.key.kernel}: {objective_label(objective)} over two tunables"),
                  (f"tuning-{kind}-{run.key.kernel}-occupancy", occupancy_svg(run.key, run.evaluations),
                   f"{run.key.kernel}: {objective_label(objective)} vs occupancy")]
        best = run.best
        shown = f"Best: {best.key}, {_value(objective, best)}" if best else "No configuration is correct"
        kernel_parts = [Text(f"{shown} ({len(run.evaluations)} configurations stored).")]
        kernel_parts += [Chart(name, chart_title, svg) for name, svg, chart_title in charts if svg]
        sections.append(Section(f"Tuning: {run.key.kernel} on {kind}", kernel_parts))
    return sections


def tuning_sections(tunings) -> list:
    """Every device's tuning sections, in the order given (:class:`~warpbench.tune.summary.DeviceTuning`s)."""
    return [section for tuning in tunings for section in device_sections(tuning)]
