"""What the database holds for a device, per kernel: the rows the report and ``tune --plot`` show."""
import json
import math
import sqlite3

from warpbench.kernels import get
from warpbench.tune.database import RunKey, TuneDatabase
from warpbench.tune.identity import compiler_version, device_label, source_hash
from warpbench.tune.objective import objective_for
from warpbench.tune.record import Evaluation
from warpbench.tune.summary import device_runs, device_tuning


def run_key(device, kernel: str, problem: dict, source: str | None = None) -> RunKey:
    """The key a tuning run of ``kernel`` on ``device`` would have (``source`` overrides the hash)."""
    return RunKey(kernel, source or source_hash(get(kernel)), "{}", compiler_version(), device_label(device),
                  device.properties.arch, json.dumps(problem, sort_keys=True), problem.get("dtype", "float32"),
                  objective_for(device, None))


def transpose_evaluations() -> list[Evaluation]:
    """The default, two better and one worse correct config, one failed (no output written), one pruned."""
    def ranked(tile, rows, value, occupancy):
        return Evaluation({"TILE_DIM": tile, "BLOCK_ROWS": rows}, "verified", value=value,
                          resources={"occupancy": occupancy, "registers": 20}, max_error=0.0)
    return [ranked(32, 8, 2e-6, 1.0), ranked(16, 4, 3e-6, 0.5), ranked(32, 32, 5e-7, 1.0), ranked(16, 16, 1e-6, 0.75),
            Evaluation({"TILE_DIM": 16, "BLOCK_ROWS": 8}, "failed", "wrong answer at 7x13", max_error=math.inf),
            Evaluation({"TILE_DIM": 64, "BLOCK_ROWS": 32}, "pruned", "2048 threads per block (limit 1024)")]


def fixture_database(path, device, extra_columns: bool = True):
    """A database with, on ``device``: transpose_padded twice (6 configs at one problem, 1 at
    another), copy from an older source; on another device: copy. Columns a later schema might
    add are added to both tables."""
    with TuneDatabase(path) as db:
        run = db.run_id(run_key(device, "transpose_padded", {"rows": 257, "cols": 255, "dtype": "float32"}))
        for evaluation in transpose_evaluations():
            db.store(run, evaluation)
        small = db.run_id(run_key(device, "transpose_padded", {"rows": 64, "cols": 64, "dtype": "float32"}))
        db.store(small, Evaluation({"TILE_DIM": 16, "BLOCK_ROWS": 4}, "verified", value=1e-9))
        stale = db.run_id(run_key(device, "copy", {"n": 4096, "dtype": "float32"}, source="0123456789abcdef"))
        db.store(stale, Evaluation({"BLOCK": 256, "BLOCKS_PER_SM": 8}, "verified", value=4e-6))
        other = db.run_id(RunKey("copy", "x", "{}", "nvcc", "cuda: another GPU", "sm_80", "{}", "float32", "time"))
        db.store(other, Evaluation({"BLOCK": 128, "BLOCKS_PER_SM": 2}, "timed", value=1e-6))
    if extra_columns:
        with sqlite3.connect(path) as raw:
            raw.execute("ALTER TABLE configs ADD COLUMN model_version TEXT DEFAULT 'v2'")
            raw.execute("ALTER TABLE runs ADD COLUMN host TEXT DEFAULT 'elsewhere'")
    return path


def test_per_kernel_the_run_with_most_configs_on_that_device_only(tmp_path, emu):
    path = fixture_database(tmp_path / "tune.sqlite", emu)
    runs = device_runs(device_label(emu), path)
    assert [(r.key.kernel, len(r.evaluations)) for r in runs] == [("copy", 1), ("transpose_padded", 6)]
    copy, transpose = runs
    assert copy.stale and not transpose.stale and copy.speedup == 1.0
    assert transpose.default == {"TILE_DIM": 32, "BLOCK_ROWS": 8} and transpose.best.value == 5e-7
    assert transpose.speedup == 4.0 and transpose.default_evaluation.value == 2e-6
    assert (transpose.count("verified"), transpose.count("failed"), transpose.count("pruned")) == (4, 1, 1)
    assert math.isinf(transpose.evaluations[4].max_error)
    assert [r.key.kernel for r in device_runs(device_label(emu), path, kernels=["transpose_padded"])] == [
        "transpose_padded"]
    assert device_runs(device_label(emu), path, objective="time") == []


def test_device_tuning_names_the_objective_and_how_to_tune_when_empty(tmp_path, emu):
    tuning = device_tuning(emu, fixture_database(tmp_path / "tune.sqlite", emu))
    assert tuning.objective == "model" and tuning.kind == "emu" and len(tuning.runs) == 2
    missing = tmp_path / "none" / "tune.sqlite"
    empty = device_tuning(emu, missing)
    assert empty.runs == [] and not missing.parent.exists(), "reading must not create the database"
    assert empty.hint.endswith("warpbench tune KERNEL --device emu") and str(missing) in empty.hint
