"""Charts: inline SVG, one metric per chart on a log axis, legends without empty entries."""
import re

from warpbench.bench.report.charts import COLORS, heatmap_chart, metric_chart, roofline_chart, speedup_chart
from warpbench.bench.report.roofline import Point, Roof
from tests.bench.test_report import bench_row, sample_rows


def legend_entries(svg: str) -> set[str]:
    return {name for name in COLORS if re.search(rf">{name}<", svg)}


def test_bars_show_only_rows_with_a_value_and_only_their_implementations():
    svg = metric_chart(sample_rows(), "gflops", "GFLOP/s")
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert legend_entries(svg) == {"hostcode", "numpy"}
    assert "gemm[hostcode] 256x256x256 NN" in svg and "transpose" not in svg and "sgemm_smem" not in svg
    assert metric_chart(sample_rows()[-1:], "gbs", "GB/s") is None


def test_slow_and_fast_rows_share_a_log_axis():
    rows = [bench_row("a[hostcode]", "p", {}, 1.0, 0.2e9, 0), bench_row("b[numpy]", "p", {}, 1.0, 500e9, 0)]
    svg = metric_chart(rows, "gbs", "GB/s")
    assert " 0.2<" in svg and " 500<" in svg
    ticks = re.findall(r"<!-- \$\\mathdefault\{10\^\{(-?\d+)\}\}\$ -->", svg)
    assert ticks[0] == "-1" and ticks[-1] == "3", "a log axis from 0.1 to 1000 GB/s"


def test_roofline_marks_measured_points_filled_and_placed_ones_hollow():
    roof = Roof("cpu: test", 10.0, "measured: copy", 100.0, "stated: sheet")
    svg = roofline_chart(roof, [Point("k1 p", "hostcode", 1.0, 5.0), Point("k2 p", "cuda", 50.0, 100.0, False)])
    assert "10 GB/s (measured: copy)" in svg and "100 GFLOP/s (stated: sheet)" in svg
    assert legend_entries(svg) == {"hostcode", "cuda"} and "k1 p" in svg and "k2 p" in svg
    assert "fill: none" in svg


def test_speedups_and_heatmaps():
    svg = speedup_chart([("gemm p", 0.5), ("softmax p", 1.25)])
    assert " 0.5×" in svg and " 1.25×" in svg
    assert speedup_chart([]) is None
    svg = heatmap_chart("k", "TILE", "ROWS", [8, 16], [2, 4], [[1e-6, 2e-6], [None, 4e-6]])
    assert "1µs" in svg and "4µs" in svg and "TILE" in svg and "ROWS" in svg
