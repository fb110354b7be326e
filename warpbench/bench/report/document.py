"""The report's content, independent of format: sections of text, tables and charts.

:func:`build_sections` decides what the report says (rooflines, GFLOP/s and GB/s, host code
against NumPy, nvcc resources, the caller's check and bench tables, tuning, the networks);
:mod:`.html` and :mod:`.markdown` only lay it out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from warpbench.bench.report import charts
from warpbench.bench.report.resources import ARCH, HEADERS, nvcc_missing, resource_rows
from warpbench.bench.report.results import implementation, workload
from warpbench.bench.report.roofline import data_only, device_roof, gbs, measured_points, stated_points
from warpbench.bench.report.tables import fmt_seconds
from warpbench.bench.suite import BenchRow


@dataclass(frozen=True)
class Text:
    """A paragraph."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table with a header row."""

    headers: list
    rows: list


@dataclass(frozen=True)
class Chart:
    """An SVG chart; ``name`` is its file stem next to report.md and its id in the page."""

    name: str
    title: str
    svg: str


@dataclass
class Section:
    """A titled part of the report."""

    title: str
    parts: list = field(default_factory=list)


def text_parts(markdown: str) -> list:
    """A caller's markdown section as parts: each run of ``|`` lines a Table, the rest Text."""
    parts, block = [], []

    def flush():
        if len(block) >= 2:
            split = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in block]
            parts.append(Table(split[0], split[2:] if set(block[1]) <= set("|-: ") else split[1:]))
        elif block:
            parts.append(Text(block[0]))
        block.clear()
    for line in markdown.splitlines():
        if line.lstrip().startswith("|"):
            block.append(line)
            continue
        flush()
        if line.strip():
            parts.append(Text(line))
    flush()
    return parts


def roofline_sections(rows: list[BenchRow], devices, specs) -> list[Section]:
    """One roofline per device: measured points where the device was timed, else (a GPU
    device, or the emulator, whose timings say nothing about a GPU) each variant placed on
    the stated roof at its intensity."""
    sections = []
    for device in devices:
        timed = [] if device.emulated else [r for r in rows if r.device == device.kind]
        points = measured_points(timed, device.kind)
        if not points and (device.kind == "cpu" or not specs):
            continue
        roof = device_roof(device, timed)
        notes = [Text(f"Bandwidth ceiling {gbs(roof.bandwidth_gbs)} GB/s ({roof.bandwidth_source}); compute "
                      f"ceiling {gbs(roof.peak_gflops)} GFLOP/s ({roof.peak_source}); ridge at "
                      f"{roof.ridge:.3g} FLOP/byte.")]
        if not points:
            points = stated_points(specs, roof, device.kind)
            notes.append(Text("No timings on this device: hollow markers place each variant on the stated roof at "
                              "its cost model's intensity (first bench problem), i.e. where it can be at best."))
        skipped = data_only(timed, device.kind)
        if skipped:
            notes.append(Text(f"Not shown (no arithmetic, 0 FLOP): {', '.join(skipped)}."))
        svg = charts.roofline_chart(roof, points)
        sections.append(Section(f"Roofline: {device.name}", [*notes, Chart(f"roofline-{device.kind}",
                                                                             f"Roofline on {device.name}", svg)]))
    return sections


def metric_sections(rows: list[BenchRow]) -> list[Section]:
    """GFLOP/s and GB/s per timed case, each on its own log-scale chart."""
    sections = []
    for metric, name, title, axis in (
            ("gflops", "gflops", "GFLOP/s per kernel", "GFLOP/s (cost model FLOPs / median time), log scale"),
            ("gbs", "gbs", "GB/s per kernel", "GB/s (bytes read + written / median time), log scale")):
        svg = charts.metric_chart(rows, metric, axis)
        if svg:
            sections.append(Section(title, [Chart(name, title, svg)]))
    return sections


def speedups(rows: list[BenchRow]) -> list[tuple[str, BenchRow, BenchRow]]:
    """(case, host-code row, NumPy row) for every workload and problem timed both ways."""
    timed = {(workload(r), r.problem, implementation(r)): r for r in rows if not r.error and r.seconds > 0}
    return [(f"{name} {problem}".strip(), host, timed[(name, problem, "numpy")])
            for (name, problem, impl), host in timed.items()
            if impl == "hostcode" and (name, problem, "numpy") in timed]


def speedup_section(rows: list[BenchRow]) -> Section | None:
    """Host code against NumPy per case: a chart and a table (None when nothing pairs up)."""
    pairs = speedups(rows)
    if not pairs:
        return None
    table = Table(["case", "host code", "NumPy", "speed-up"],
                  [[case, fmt_seconds(host.seconds), fmt_seconds(numpy.seconds), f"{numpy.seconds / host.seconds:.3g}×"]
                   for case, host, numpy in pairs])
    svg = charts.speedup_chart([(case, numpy.seconds / host.seconds) for case, host, numpy in pairs])
    return Section("Host code vs NumPy", [Text("Speed-up = NumPy median time / host-code median time, same "
                                               "problem, same run."), Chart("speedup", "Host code vs NumPy", svg),
                                          table])


def resource_section(specs) -> Section | None:
    """nvcc's registers, shared memory, spills and occupancy for sm_90, or why they are missing."""
    if not specs:
        return None
    title = f"nvcc resources ({ARCH})"
    missing = nvcc_missing()
    if missing:
        return Section(title, [Text(f"Skipped: {missing}.")])
    return Section(title, [Text("ptxas figures at each variant's default configuration; occupancy at its first bench "
                                f"problem's block size against {ARCH} limits. No GPU needed."),
                           Table(HEADERS, [row.cells() for row in resource_rows(specs)])])


def build_sections(texts: dict[str, str], rows: list[BenchRow], devices=(), specs=(), tuning=(),
                   networks=()) -> list[Section]:
    """Every section in reading order: rooflines, per-metric charts, speed-ups, resources,
    the caller's tables (``texts``: title → markdown), tuning (``tuning``: a
    :class:`~warpbench.tune.summary.DeviceTuning` per device), the networks."""
    from warpbench.bench.report.networks import network_sections
    from warpbench.bench.report.tuning import tuning_sections
    sections = [*roofline_sections(rows, devices, list(specs)), *metric_sections(rows)]
    sections += [s for s in (speedup_section(rows), resource_section(list(specs))) if s is not None]
    sections += [Section(title, text_parts(text)) for title, text in texts.items()]
    return sections + tuning_sections(list(tuning or ())) + network_sections(list(networks))
