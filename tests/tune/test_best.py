"""Tuned configurations in use: device.compile(name) without a config takes the best stored one."""
import warpbench
from tests.tune.buggy import SPEC, TUNED
from warpbench.tune.best import problem_distance, tuned_config


def test_an_empty_database_leaves_the_defaults(emu, tmp_path, monkeypatch):
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(tmp_path / "none.sqlite"))
    assert tuned_config(emu, SPEC) is None
    assert emu.compile("transpose_padded").config == {"TILE_DIM": 32, "BLOCK_ROWS": 8}


def test_compile_without_a_config_takes_the_best_for_the_nearest_problem(emu, tmp_path, monkeypatch):
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(tmp_path / "tune.sqlite"))
    small = warpbench.tune(SPEC, {"n": 64, "dtype": "float32"}, device=emu, strategy="brute_force")
    large = warpbench.tune(SPEC, TUNED, device=emu, strategy="brute_force")
    assert tuned_config(emu, SPEC, {"n": 100, "dtype": "float32"}) == small.best.config
    assert tuned_config(emu, SPEC, {"n": 5000, "dtype": "float32"}) == large.best.config
    assert emu.compile(SPEC).config == large.best.config          # default problem: the tuned one
    assert emu.compile(SPEC, {"TILE": 1}).config == {"TILE": 1, "BLOCK": 64}   # an explicit config wins
    assert tuned_config(emu, SPEC, {"n": 100, "dtype": "float64"}) is None


def test_problems_are_near_by_log_ratio_and_far_across_dtypes():
    assert problem_distance({"n": 100}, {"n": 200}) < problem_distance({"n": 100}, {"n": 1000})
    assert problem_distance({"n": 1, "dtype": "float32"}, {"n": 1, "dtype": "float64"}) == float("inf")


def test_warpbench_debug_says_which_tuned_config_compile_took(emu, tmp_path, monkeypatch):
    import subprocess
    import sys
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(tmp_path / "tune.sqlite"))
    best = warpbench.tune("transpose_padded", {"rows": 33, "cols": 65}, device=emu, budget=3).best
    script = "import warpbench; print(warpbench.device('emu').compile('transpose_padded').config)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={**__import__("os").environ, "WARPBENCH_DEBUG": "1"})
    assert done.stdout.strip() == str(best.config)
    shown = ",".join(f"{k}={v}" for k, v in best.config.items())
    assert f"transpose_padded: tuned config {shown} from {tmp_path / 'tune.sqlite'}" in done.stderr


def test_bench_without_config_times_the_tuned_config(emu, tmp_path, monkeypatch):
    from warpbench.bench.suite import bench_rows
    from warpbench.kernels import get
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(tmp_path / "tune.sqlite"))
    spec = get("transpose_padded")
    best = warpbench.tune(spec, device=emu).best
    assert emu.compile(spec, {}).config == best.config
    row = next(r for r in bench_rows(emu, [spec], {}) if r.kernel == "transpose_padded")
    assert row.tunables == best.config


def test_pinned_configs_win_over_the_tuner_while_active_and_only_for_their_kernel(emu, tmp_path, monkeypatch):
    import pytest
    from warpbench.errors import ConfigError
    from warpbench.tune.best import pinned_config, pinned_configs
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(tmp_path / "tune.sqlite"))
    tuned = warpbench.tune(SPEC, TUNED, device=emu, strategy="brute_force").best.config
    pinned = {"TILE_DIM": 16, "BLOCK_ROWS": 4}
    with pinned_configs({"transpose_padded": pinned}):
        assert emu.compile("transpose_padded").config == pinned
        assert emu.compile(SPEC).config == tuned
        assert emu.compile("transpose_padded", {"TILE_DIM": 32, "BLOCK_ROWS": 8}).config["TILE_DIM"] == 32
    assert pinned_config(get_spec("transpose_padded")) is None
    with pytest.raises(ConfigError, match="transpose_padded"):
        with pinned_configs({"transpose_padded": {"TILE_DIM": 16, "BLOCK_ROWS": 32}}):
            pass


def get_spec(name):
    from warpbench.kernels import get
    return get(name)
