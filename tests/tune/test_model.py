"""The ``model`` objective follows the traffic the instrumented emulator counted for each config."""
import pytest

import warpbench
from tests.tune.traffic import SPEC, TUNED
from warpbench.errors import ConfigError
from warpbench.kernels import get
from warpbench.runtime.properties import EMULATED, with_name
from warpbench.tune.model import PIPES, estimate, traffic

RESOURCES = {"occupancy": 1.0, "blocks_per_sm": 8, "blocks": 4 * 8 * EMULATED.sm_count}
COUNTERS = {"l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum": 1024.0,
            "l1tex__t_sectors_pipe_lsu_mem_global_op_st.sum": 1024.0,
            "l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum": 256.0}


def test_every_counted_sector_and_wavefront_costs_something():
    base = estimate(SPEC, TUNED, EMULATED, RESOURCES, COUNTERS)
    more_sectors = estimate(SPEC, TUNED, EMULATED, RESOURCES,
                            {**COUNTERS, "l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum": 2048.0})
    conflicts = estimate(SPEC, TUNED, EMULATED, RESOURCES,
                         {**COUNTERS, "l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum": 8192.0})
    assert base.seconds < more_sectors.seconds and base.seconds < conflicts.seconds
    assert base.bound == "dram" and conflicts.bound == "shared"
    assert base.inputs["sectors"] == 2048 and more_sectors.inputs["sectors"] == 3072
    assert set(PIPES) <= {name[:-2] for name in base.inputs if name.endswith("_s")}


def test_the_busy_time_lies_between_the_slowest_pipe_and_the_sum_of_pipes():
    model = estimate(SPEC, TUNED, EMULATED, RESOURCES, COUNTERS)
    pipes = [model.inputs[f"{name}_s"] for name in PIPES]
    assert model.inputs["latency_efficiency"] == 1.0 and model.inputs["wave_efficiency"] == 1.0
    assert max(pipes) < model.seconds < sum(pipes)


def test_a_gpu_without_a_clock_cannot_be_modelled():
    with pytest.raises(ConfigError, match="clock 0.0 GHz"):
        estimate(SPEC, TUNED, with_name(EMULATED, "no clock", clock_ghz=0.0), RESOURCES, COUNTERS)


def test_traffic_sums_loads_stores_and_atomics():
    counted = traffic({"l1tex__t_requests_pipe_lsu_mem_global_op_atom.sum": 3.0,
                       "l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum": 2.0,
                       "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_st.sum": 5.0})
    assert counted == {"global_requests": 5, "sectors": 0, "shared_requests": 0, "wavefronts": 0,
                       "bank_conflicts": 5}


def test_uncoalesced_and_bank_conflicting_configs_get_worse_models(emu, tmp_path):
    result = warpbench.tune(SPEC, TUNED, device=emu, strategy="brute_force", database=tmp_path / "tune.sqlite")
    by = {(e.config["SCATTER"], e.config["PAD"]): e for e in result.evaluations}
    assert all(e.status == "verified" for e in by.values()) and len(by) == 4, \
        [(key, e.status, e.reason) for key, e in by.items()]
    assert by[1, 1].metrics["sectors"] == 2 * by[0, 1].metrics["sectors"]
    assert by[0, 0].metrics["bank_conflicts"] > 0 == by[0, 1].metrics["bank_conflicts"]
    assert by[0, 1].value < by[1, 1].value < by[1, 0].value and by[0, 1].value < by[0, 0].value < by[1, 0].value
    assert result.best.config == {"SCATTER": 0, "PAD": 1} and by[0, 0].metrics["bound"] == "shared"
    assert "| sectors" in result.table() and "conflicts" in result.table()


def test_the_padded_transpose_ranks_ahead_of_the_conflicting_and_the_naive_one(emu, tmp_path):
    problem, models = {"rows": 256, "cols": 256, "dtype": "float32"}, {}
    for name in ("transpose_padded", "transpose_coalesced", "transpose_naive"):
        spec = get(name)
        [models[name]] = warpbench.tune(spec, problem, device=emu, budget=1,   # the default config only
                                        database=tmp_path / "tune.sqlite").evaluations
        assert models[name].config == spec.resolve(None)
    padded, coalesced, naive = models["transpose_padded"], models["transpose_coalesced"], models["transpose_naive"]
    assert padded.metrics["bank_conflicts"] == 0 < coalesced.metrics["bank_conflicts"]
    assert naive.metrics["sectors"] > padded.metrics["sectors"]
    assert padded.value < coalesced.value and padded.value < naive.value
