"""The benchmark grids come from the registry: valid configurations only, labels that round-trip."""
from warpbench.kernels import get

from benchmarks.grids import label, neighbours, overrides, sweep, variant_names


def test_variant_names_follow_the_registry_and_the_dtype():
    assert variant_names("transpose") == ["transpose_naive", "transpose_coalesced", "transpose_padded"]
    assert "dgemm_naive" in variant_names("gemm") and "dgemm_naive" not in variant_names("gemm", "float32")


def test_labels_round_trip():
    assert label({}) == "default" and overrides("default") == {}
    assert overrides(label({"TILE_DIM": 16, "BLOCK_ROWS": 4})) == {"TILE_DIM": 16, "BLOCK_ROWS": 4}


def test_a_sweep_is_the_space_along_the_named_tunables():
    spec = get("transpose_padded")
    configs = [spec.resolve(overrides(c)) for c in sweep("transpose_padded", "TILE_DIM", "BLOCK_ROWS")]
    assert configs == spec.space()
    lstm = get("lstm_step")
    tiles = [lstm.resolve(overrides(c)) for c in sweep("lstm_step", "JT", "KSPLIT")]
    assert lstm.default_config in tiles and all(c in lstm.space() for c in tiles)
    assert {(c["BT"], c["TB"], c["BK"]) for c in tiles} == {(32, 4, 32)}


def test_neighbours_are_valid_and_one_tunable_from_the_default():
    spec = get("sgemm_double_buffer")
    grid = neighbours("sgemm_double_buffer")
    assert grid[0] == "default" and len(grid) > 1
    for config in grid[1:]:
        change = overrides(config)
        assert len(change) == 1 and spec.resolve(change) in spec.space()
        assert all(spec.default_config[k] != v for k, v in change.items())
