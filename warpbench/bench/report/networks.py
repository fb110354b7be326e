"""The report's networks section: each of the book's networks, forward and train step, on the
cpu device against the kernel device (CPU vs GPU bars), and where each phase's time goes per
op class (from the function's profile, :class:`warpbench.graph.profiling.ProfileStats`).

It is meant to keep ``warpbench run`` fast: one profiled call per network, phase and device
after the compiling call, at :data:`~warpbench.bench.networks.TINY` sizes when the kernel
device is the emulator (both devices then run the same shapes), else at the book's sizes
with a batch of :data:`RUN_BATCH`.
"""
from __future__ import annotations

from dataclasses import dataclass

from warpbench.bench.networks import PHASES, TINY, TINY_BATCH, network_names, network_step
from warpbench.bench.report.tables import fmt_seconds
from warpbench.graph.profiling import OpClassStats

RUN_BATCH = 8
#: Op classes listed per phase in the breakdown; the rest are summed as "other".
TOP_OPS = 5


@dataclass
class NetworkTiming:
    """One profiled call of one phase of one network on one device; ``error``: why it did not run."""

    network: str
    phase: str
    device: str
    seconds: float = 0.0
    ops: tuple[OpClassStats, ...] = ()
    error: str = ""


def time_network(name: str, phase: str, kind: str, tiny: bool, calls: int = 1) -> NetworkTiming:
    """``phase`` of ``name`` on ``kind``: the mean of ``calls`` profiled calls after the first,
    and its op classes; an error is kept in the row, not raised."""
    from warpbench.errors import WarpbenchError
    sizes, batch = (TINY[name], TINY_BATCH) if tiny else (None, RUN_BATCH)
    try:
        step = network_step(name, kind, phase, batch, sizes=sizes, profile=True)
        for _ in range(calls):
            step.run()
    except (WarpbenchError, NotImplementedError) as exc:
        return NetworkTiming(name, phase, kind, error=str(exc).splitlines()[0])
    profile = step.network.functions[phase].profile
    return NetworkTiming(name, phase, kind, profile.call_seconds / max(profile.calls, 1), tuple(profile.by_class()))


def time_networks(kinds: tuple[str, ...], tiny: bool, names: list[str] | None = None) -> list[NetworkTiming]:
    """Every network (or ``names``) and phase on each device kind."""
    return [time_network(name, phase, kind, tiny) for name in names or network_names() for phase in PHASES
            for kind in kinds]


def timing_table(timings: list[NetworkTiming]) -> tuple[list[str], list[list]]:
    """Headers and rows: one row per network and phase, one column per device, and the ratio."""
    kinds = list(dict.fromkeys(t.device for t in timings))
    cells = {(t.network, t.phase, t.device): t for t in timings}
    rows = []
    for network, phase in dict.fromkeys((t.network, t.phase) for t in timings):
        got = [cells.get((network, phase, kind)) for kind in kinds]
        shown = [t.error if t and t.error else fmt_seconds(t.seconds) if t else "" for t in got]
        ratio = ""
        if len(got) == 2 and all(t and not t.error and t.seconds > 0 for t in got):
            ratio = f"{got[0].seconds / got[1].seconds:.3g}×"
        rows.append([network, phase, *shown, ratio])
    ratio_header = f"{kinds[1]} speed-up ({kinds[0]} time / {kinds[1]} time)" if len(kinds) == 2 else ""
    return ["network", "phase", *kinds, ratio_header], rows


def breakdown_rows(timings: list[NetworkTiming], top: int = TOP_OPS) -> list[list]:
    """Per network, phase and device: the ``top`` op classes by time and their share of the nodes' time."""
    rows = []
    for t in timings:
        total = sum(c.seconds for c in t.ops)
        if t.error or total <= 0:
            continue
        shown = [f"{c.name} {c.seconds / total:.0%}" for c in t.ops[:top]]
        rest = total - sum(c.seconds for c in t.ops[:top])
        if rest > 0:
            shown.append(f"other {rest / total:.0%}")
        rows.append([t.network, t.phase, t.device, fmt_seconds(total), ", ".join(shown)])
    return rows


def timing_chart(timings: list[NetworkTiming]) -> str | None:
    """Grouped horizontal bars, one bar per device for each network and phase, log axis (SVG)."""
    from warpbench.bench.report.charts import COLORS, _legend, _pyplot, to_svg
    shown = [t for t in timings if not t.error and t.seconds > 0]
    if not shown:
        return None
    # The cpu device runs host code: its bars take host code's colour and legend entry.
    implementation = {"cpu": "hostcode"}
    kinds = list(dict.fromkeys(t.device for t in shown))
    labels = list(dict.fromkeys(f"{t.network} {t.phase}" for t in shown))
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(labels) * len(kinds) + 1.2))
    height = 0.8 / len(kinds)
    for t in shown:
        row = len(labels) - 1 - labels.index(f"{t.network} {t.phase}")
        offset = (len(kinds) - 1 - kinds.index(t.device)) * height
        color = COLORS.get(implementation.get(t.device, t.device), "#333333")
        ax.barh(row + offset - 0.4 + height / 2, t.seconds * 1e3, height, color=color)
    ax.set_xscale("log")
    ax.set_yticks(range(len(labels))[::-1], labels, fontsize=7)
    ax.set_xlabel("ms per call (one profiled call), log scale")
    ax.grid(axis="x", alpha=0.3)
    _legend(ax, {implementation.get(kind, kind) for kind in kinds})
    return to_svg(fig)


def network_sections(timings: list[NetworkTiming]) -> list:
    """The report sections: the CPU vs GPU chart and table, then the per-op breakdown."""
    from warpbench.bench.report.document import Chart, Section, Table, Text
    if not timings:
        return []
    headers, rows = timing_table(timings)
    parts = [Text("One profiled call of each phase after the compiling call (the device synchronized after "
                  "every node), inputs from the host and results back to it, as a training loop calls it.")]
    svg = timing_chart(timings)
    if svg:
        parts.append(Chart("networks", "Networks: CPU vs kernel device", svg))
    parts.append(Table(headers, rows))
    sections = [Section("Networks: CPU vs kernel device", parts)]
    breakdown = breakdown_rows(timings)
    if breakdown:
        sections.append(Section("Networks: time per op class", [
            Text("Share of the time spent in nodes, per op class, from the function's profile."),
            Table(["network", "phase", "device", "time in nodes", "op classes"], breakdown)]))
    return sections
