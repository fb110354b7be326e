"""Config heatmaps from (config, seconds) rows."""
from warpbench.bench.report.tuning import heatmap


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
