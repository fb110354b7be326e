"""Config heatmaps from a tuner database: a kernel's median time over two of its tunables.

The input is what any tuner database reduces to, a list of ``(config dict, seconds)`` rows
per kernel. The two tunables with the most distinct values span the map; every other
tunable is minimised away (a cell shows the best time over them), so the map reads "how
fast can this kernel be with these two values". A kernel with a single tunable gets a
one-row map.
"""
from __future__ import annotations

from dataclasses import dataclass

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
