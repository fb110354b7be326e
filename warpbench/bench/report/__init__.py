"""Reports: terminal tables, and report/ (report.html, report.md with its SVG charts, results.json).

:func:`write_report` is the one entry point; the modules split it by idea: ``machine``
(header), ``results`` (tidy JSON rows), ``roofline``, ``resources`` (nvcc), ``tuning``
(the tuner's database per device), ``networks`` (the book's networks), ``charts``, ``document``
(what the report says), ``html`` and ``markdown`` (how it is laid out), ``tables`` (text
tables, also used by the CLI).
"""
from __future__ import annotations

from pathlib import Path

from warpbench.bench.report.tables import BENCH_HEADERS, bench_table, fmt_seconds, table
from warpbench.bench.suite import BenchRow


def write_report(folder: Path, sections: dict[str, str], rows: list[BenchRow], meta: dict, *, devices=(),
                 specs=(), tuning=(), networks=()) -> list[Path]:
    """Write report.md, results.json, report.html and each chart as SVG under ``folder``; return
    their paths in that order.

    ``sections`` are the caller's markdown texts by title (check and bench tables); ``rows``
    the timed cases; ``meta`` extra header lines; ``devices`` the devices used (a roofline
    each); ``specs`` the CUDA variants (nvcc resource table, and placement on a GPU roofline
    without timings); ``tuning`` what the tuner's database holds per device
    (:func:`warpbench.tune.summary.device_tuning`: heatmaps, occupancy, speed-ups, results.json rows);
    ``networks`` the :class:`~warpbench.bench.report.networks.NetworkTiming` rows of the book's networks.
    """
    from warpbench.bench.report.document import Chart, build_sections
    from warpbench.bench.report.html import render_html
    from warpbench.bench.report.machine import machine_header
    from warpbench.bench.report.markdown import render_markdown
    from warpbench.bench.report.results import write_results

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    header = machine_header(devices, rows, meta)
    tuning = list(tuning or ())
    content = build_sections(sections, rows, devices, specs, tuning, networks)
    paths = [folder / "report.md", folder / "results.json", folder / "report.html"]
    paths[0].write_text(render_markdown(header, content))
    write_results(paths[1], rows, header, tuning)
    paths[2].write_text(render_html(header, content))
    for chart in (p for section in content for p in section.parts if isinstance(p, Chart)):
        path = folder / f"{chart.name}.svg"
        path.write_text(chart.svg)
        paths.append(path)
    return paths


__all__ = ["BENCH_HEADERS", "bench_table", "fmt_seconds", "table", "write_report"]
