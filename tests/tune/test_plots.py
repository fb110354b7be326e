"""Tuning charts: heatmap, objective vs occupancy and speed-ups, labelled with the objective."""
from warpbench.cli import main


def test_tune_plot_writes_three_charts_that_say_model_on_emu(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(tmp_path / "tune.sqlite"))
    assert main(["tune", "transpose_padded", "--device", "emu", "--plot", str(tmp_path / "plots")]) == 0
    written = {p.name: p.read_text() for p in (tmp_path / "plots").iterdir()}
    assert set(written) == {"transpose_padded-heatmap.svg", "transpose_padded-occupancy.svg", "speedup.svg"}
    assert "modelled time (model, not measured)" in written["transpose_padded-heatmap.svg"]
    heat = written["transpose_padded-heatmap.svg"]
    assert "TILE_DIM" in heat and "BLOCK_ROWS" in heat
    assert "median time" not in "".join(written.values())
    assert "transpose_padded" in written["speedup.svg"] and "(model;" in written["speedup.svg"]
    assert main(["tune", "--show", "transpose_padded", "--plot", str(tmp_path / "again")]) == 0
    assert len(list((tmp_path / "again").iterdir())) == 3
