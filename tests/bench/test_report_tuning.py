"""The report's tuning sections from a fixture database, and config heatmaps from (config, seconds) rows."""
from warpbench.bench.report.document import Chart, Text
from warpbench.bench.report.tuning import heatmap, tuning_sections
from warpbench.tune.summary import device_tuning


def test_two_tunables_with_most_values_span_the_map_and_others_are_minimised():
    rows = [({"TILE": t, "ROWS": r, "UNROLL": u}, t * r * u * 1e-6)
            for t in (8, 16, 32) for r in (2, 4) for u in (1, 2) if (t, r) != (32, 4)]
    found = heatmap("k", rows)
    assert (found.x_name, found.y_name, found.xs, found.ys) == ("TILE", "ROWS", (8, 16, 32), (2, 4))
    assert found.grid[0] == (16e-6, 32e-6, 64e-6) and found.grid[1][2] is None
    assert found.best == ({"TILE": 8, "ROWS": 2}, 16e-6)


def test_one_tunable_is_one_row_and_nothing_usable_is_none():
    found = heatmap("k", [({"B": 1}, 2.0), ({"B": 2}, 1.0), ({"B": 2}, 3.0)])
    assert found.ys == ("",) and found.grid == ((2.0, 1.0),) and found.best == ({"B": 2}, 1.0)
    assert heatmap("k", []) is None and heatmap("k", [({}, 1.0), ({"B": 1}, 0.0)]) is None


def test_a_device_with_runs_gets_a_summary_speedups_and_two_charts_per_kernel(tmp_path, emu):
    from tests.tune.test_summary import fixture_database
    sections = tuning_sections([device_tuning(emu, fixture_database(tmp_path / "tune.sqlite", emu))])
    assert [s.title for s in sections] == [f"Tuning on {emu.name}", "Tuning: copy on emu",
                                           "Tuning: transpose_padded on emu"]
    summary = sections[0]
    assert "ranked by model" in summary.parts[0].text and "not a measurement" in summary.parts[0].text
    speedup, table = summary.parts[1:]
    assert speedup.name == "tuning-speedup-emu" and "(model;" in speedup.svg and "transpose_padded" in speedup.svg
    rows = {row[0]: row for row in table.rows}
    assert rows["transpose_padded"][1:6] == ["cols=255,dtype=float32,rows=257", 6, 4, 1, 1]
    assert rows["transpose_padded"][6:10] == ["model 2 µs", "TILE_DIM=32,BLOCK_ROWS=32", "model 500 ns", "4×"]
    assert rows["copy"][-1] == "source changed since" and rows["transpose_padded"][-1] == ""
    charts = [p for p in sections[2].parts if isinstance(p, Chart)]
    assert [c.name for c in charts] == ["tuning-emu-transpose_padded-heatmap", "tuning-emu-transpose_padded-occupancy"]
    assert all("model" in c.svg and "median time" not in c.svg for c in charts)
    assert "TILE_DIM" in charts[0].svg and "BLOCK_ROWS" in charts[0].svg
    assert sections[2].parts[0] == Text("Best: TILE_DIM=32,BLOCK_ROWS=32, model 500 ns (6 configurations stored).")


def test_a_device_without_runs_says_how_to_tune(tmp_path, emu):
    sections = tuning_sections([device_tuning(emu, tmp_path / "tune.sqlite")])
    assert [s.title for s in sections] == [f"Tuning on {emu.name}"]
    (line,) = sections[0].parts
    assert line.text.endswith("to make one: warpbench tune KERNEL --device emu") and "\n" not in line.text
