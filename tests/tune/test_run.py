"""warpbench.tune on the emulator: pruning, verification, the model objective, storage and resume."""
import pytest

import warpbench
from tests.tune.buggy import SPEC, TUNED
from warpbench.errors import ConfigError
from warpbench.tune.database import TuneDatabase
from warpbench.tune.prune import nvcc_missing_reason, prune_reason
from warpbench.tune.record import FAILED, VERIFIED
from warpbench.tune.verify import References, verify

needs_nvcc = pytest.mark.skipif(nvcc_missing_reason() is not None, reason="nvcc is not installed")


@pytest.fixture
def database(tmp_path):
    return tmp_path / "tune.sqlite"


def test_a_config_wrong_only_off_the_tile_is_failed_and_the_run_completes(emu, database):
    result = warpbench.tune(SPEC, TUNED, device=emu, strategy="brute_force", database=database)
    assert len(result.evaluations) == 8 and result.new == 8
    failed = {e.key: e for e in result.failed}
    assert set(failed) == {"TILE=64,BLOCK=64", "TILE=64,BLOCK=128"}
    for e in failed.values():
        assert e.reason.startswith("wrong at n=1:") and "never written" in e.reason and e.max_error == float("inf")
    assert all(e.status == VERIFIED and e.value > 0 for e in result.verified) and len(result.verified) == 6
    assert result.best.config["TILE"] != 64 and result.objective == "model"


def test_checking_only_the_tuned_problem_as_kernel_tuner_does_misses_the_bug(emu):
    assert verify(emu, SPEC, {"TILE": 64, "BLOCK": 64}, References(SPEC, [TUNED])).ok
    awkward = References(SPEC, [TUNED, {"n": 100, "dtype": "float32"}])
    assert not verify(emu, SPEC, {"TILE": 64, "BLOCK": 64}, awkward).ok


def test_a_second_run_resumes_from_the_database(emu, database):
    first = warpbench.tune(SPEC, TUNED, device=emu, strategy="random", budget=3, seed=1, database=database)
    assert first.new == 3 and first.evaluations[0].config == {"TILE": 1, "BLOCK": 64}   # the default first
    second = warpbench.tune(SPEC, TUNED, device=emu, strategy="random", budget=5, seed=1, database=database)
    assert second.new == 2 and len(second.evaluations) == 5
    assert [e.key for e in second.evaluations[:3]] == [e.key for e in first.evaluations]
    again = warpbench.tune(SPEC, TUNED, device=emu, strategy="random", budget=5, seed=1, database=database)
    assert again.new == 0 and len(again.evaluations) == 5


def test_every_outcome_is_stored_under_the_run_key(emu, database):
    result = warpbench.tune(SPEC, TUNED, device=emu, strategy="brute_force", database=database)
    with TuneDatabase(database) as db:
        [(run, key)] = db.runs("tiled_scale")
        stored = db.evaluations(run)
    assert key == result.key and key.objective == "model" and key.arch == "sm_90" and key.dtype == "float32"
    assert key.problem_dict == TUNED and len(key.source_hash) == 16
    assert [(e.key, e.status, e.value) for e in stored] == [(e.key, e.status, e.value) for e in result.evaluations]
    assert sum(e.status == FAILED for e in stored) == 2


def test_the_emulator_ranks_by_model_and_refuses_time(emu, database):
    with pytest.raises(ConfigError, match="objective 'time' needs a GPU"):
        warpbench.tune(SPEC, TUNED, device=emu, objective="time", database=database)
    t4 = warpbench.tune(SPEC, TUNED, device=emu, budget=2, database=database).to_t4()
    assert t4["schema_version"] == "1.0.0" and t4["results"][0]["objectives"] == ["model"]
    assert all(m["name"] == "model" for r in t4["results"] for m in r["measurements"])


@needs_nvcc
def test_configs_that_spill_or_starve_the_sm_are_pruned_with_the_reason():
    from warpbench.kernels import get
    from warpbench.kernels.compile import Resources
    from warpbench.runtime.properties import EMULATED
    spec = get("transpose_padded")
    problem = {"rows": 64, "cols": 64, "dtype": "float32"}
    config = spec.resolve(None)
    assert prune_reason(spec, config, problem, EMULATED, Resources(registers=30)) is None
    assert "spills 8 bytes" in prune_reason(spec, config, problem, EMULATED, Resources(registers=30, spill_stores=8))
    reason = prune_reason(spec, config, problem, EMULATED, Resources(registers=255), floor=0.5)
    assert reason.startswith("occupancy: theoretical 0.125") and "registers" in reason


def test_bad_requests_are_one_line_errors(emu, database):
    with pytest.raises(ConfigError, match="budget must be at least 1"):
        warpbench.tune(SPEC, TUNED, device=emu, budget=0, database=database)
    with pytest.raises(ConfigError, match="pipeline is tuned stage by stage"):
        warpbench.tune("conv2d_im2col_gemm", device=emu, database=database)
    with pytest.raises(ConfigError, match="runs host code"):
        warpbench.tune(SPEC, TUNED, device="cpu", database=database)


def test_a_run_reads_as_pandas_when_pandas_is_installed(emu, database):
    pandas = pytest.importorskip("pandas")
    frame = warpbench.tune(SPEC, TUNED, device=emu, strategy="brute_force", database=database).to_pandas()
    assert isinstance(frame, pandas.DataFrame) and len(frame) == 8
    assert {"TILE", "BLOCK", "status", "model", "max_error", "res_occupancy"} <= set(frame.columns)


def test_a_run_cut_short_by_its_time_limit_is_finished_by_the_next(emu, database):
    cut = warpbench.tune(SPEC, TUNED, device=emu, strategy="brute_force", time_limit=1e-9, database=database)
    assert cut.new == 1 and any("time limit" in note for note in cut.notes)
    rest = warpbench.tune(SPEC, TUNED, device=emu, strategy="brute_force", database=database)
    assert rest.new == 7 and len(rest.evaluations) == 8 and rest.evaluations[0].key == cut.evaluations[0].key
