"""Launch configurations across networks: the dominant kernels found in the compiled step, each
candidate config pinned while a fresh network is built and timed."""
from warpbench.bench.network_configs import (candidate_configs, config_chart, config_table, dominant_variants,
                                             launched_variants, sweep_configs)
from warpbench.bench.networks import TINY, tiny_step
from warpbench.kernels import get


def test_lenet_on_emu_launches_its_convolutions_as_dominant_kernels():
    step = tiny_step("lenet", "emu", "train_step")
    dominant = {spec.name for spec in dominant_variants(step)}
    assert {"conv2d_direct", "conv2d_bwd_data_direct", "conv2d_bwd_filter_warp"} <= dominant
    assert "maxpool2d" in {spec.name for spec in launched_variants(step)} - dominant


def test_candidates_differ_from_the_defaults_in_one_tunable_and_keep_the_restrictions():
    spec = get("sgemm_blocktile_2d")
    space = spec.space()
    found = candidate_configs(spec, limit=50)
    assert found and len(found) <= 50
    for config in found:
        assert config in space
        assert sum(config[k] != v for k, v in spec.default_config.items()) == 1
    assert len(candidate_configs(spec, limit=2)) == 2


def test_a_sweep_times_the_defaults_and_each_candidate_with_that_config_compiled(monkeypatch, tmp_path):
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(tmp_path / "none.sqlite"))
    compiled = []
    from warpbench.runtime.base import Device
    original = Device._compile_variant

    def spy(self, spec, config):
        compiled.append((spec.name, dict(config)))
        return original(self, spec, config)
    monkeypatch.setattr(Device, "_compile_variant", spy)
    rows = sweep_configs("lenet", "emu", "train_step", 2, TINY["lenet"], limit=1, repeat=3)
    assert rows[0].label == "default" and all(r.seconds > 0 for r in rows)
    assert "tuned" not in [r.label for r in rows]
    for row in rows[1:]:
        assert (row.kernel, row.config) in compiled
    table = config_table(rows)
    assert "conv2d_direct BLOCK=" in table and "1.00x" in table
    assert config_chart(rows).startswith("<svg")


def test_the_mlp_has_no_config_to_vary_on_the_cpu():
    rows = sweep_configs("mlp", "cpu", "forward", 2, TINY["mlp"], repeat=3)
    assert [r.label for r in rows] == ["default"]


def test_a_tuned_config_adds_the_tuned_row(monkeypatch, tmp_path):
    import warpbench
    from warpbench.runtime import get_device
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(tmp_path / "tune.sqlite"))
    best = warpbench.tune("conv2d_direct", device=get_device("emu"), strategy="brute_force").best.config
    rows = sweep_configs("lenet", "emu", "forward", 2, TINY["lenet"], limit=1, repeat=3)
    assert rows[-1].label == "tuned" and rows[-1].config == {"conv2d_direct": best}
