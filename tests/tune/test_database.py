"""The results database: the model's inputs stored with each row, and files of an older schema."""
import sqlite3

import pytest

from warpbench.errors import ConfigError
from warpbench.tune.database import SCHEMA_VERSION, RunKey, TuneDatabase
from warpbench.tune.record import TIMED, VERIFIED, Evaluation

OLD_SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY, kernel TEXT NOT NULL, source_hash TEXT NOT NULL, defines TEXT NOT NULL,
    compiler TEXT NOT NULL, device TEXT NOT NULL, arch TEXT NOT NULL, problem TEXT NOT NULL,
    dtype TEXT NOT NULL, objective TEXT NOT NULL, created REAL NOT NULL,
    UNIQUE (kernel, source_hash, defines, compiler, device, arch, problem, dtype, objective));
CREATE TABLE configs (
    run INTEGER NOT NULL REFERENCES runs(id), config TEXT NOT NULL, status TEXT NOT NULL,
    reason TEXT NOT NULL, value REAL, median REAL, iqr REAL, samples TEXT NOT NULL, max_error REAL,
    resources TEXT NOT NULL, seconds REAL NOT NULL, evaluated REAL NOT NULL, position INTEGER NOT NULL,
    PRIMARY KEY (run, config));
INSERT INTO runs VALUES (1, 'k', 'h', '{}', 'nvcc', 'emu: x', 'sm_90', '{"n": 1}', 'float32', 'model', 0);
INSERT INTO runs VALUES (2, 'k', 'h', '{}', 'nvcc', 'cuda: y', 'sm_90', '{"n": 1}', 'float32', 'time', 0);
INSERT INTO configs VALUES (1, '{"T": 1}', 'verified', '', 1e-6, NULL, NULL, '[]', 0.0, '{}', 0.1, 0, 0);
INSERT INTO configs VALUES (2, '{"T": 1}', 'timed', '', 2e-6, 2e-6, 0.0, '[2e-06]', 0.0, '{}', 0.1, 0, 0);
"""


def key(objective: str) -> RunKey:
    return RunKey("k", "h", "{}", "nvcc", "emu: x", "sm_90", '{"n": 1}', "float32", objective)


def test_the_models_inputs_are_stored_with_each_row(tmp_path):
    metrics = {"sectors": 2048, "wavefronts": 512, "bank_conflicts": 0, "bound": "dram"}
    with TuneDatabase(tmp_path / "tune.sqlite") as db:
        assert db.notice is None
        run = db.run_id(key("model"))
        db.store(run, Evaluation({"T": 1}, VERIFIED, "", 1e-6, metrics=metrics))
        db.store(run, Evaluation({"T": 2}, VERIFIED, "", 2e-6))
    with TuneDatabase(tmp_path / "tune.sqlite") as db:
        first, second = db.evaluations(run)
    assert first.metrics == metrics and second.metrics == {}


def test_an_older_file_keeps_its_gpu_runs_and_drops_its_old_model_runs_once(tmp_path):
    path = tmp_path / "tune.sqlite"
    with sqlite3.connect(path) as old:
        old.executescript(OLD_SCHEMA)
    with TuneDatabase(path) as db:
        assert "dropped 1 emulator 'model' run(s)" in db.notice and "\n" not in db.notice
        [(run, stored)] = db.runs("k")
        [timed] = db.evaluations(run)
        assert stored.objective == "time" and timed.status == TIMED and timed.value == 2e-6 and timed.metrics == {}
        fresh = db.run_id(key("model"))
        db.store(fresh, Evaluation({"T": 1}, VERIFIED, "", 1e-6, metrics={"sectors": 1}))
    with TuneDatabase(path) as db:
        assert db.notice is None and db.evaluations(fresh)[0].metrics == {"sectors": 1}
    with sqlite3.connect(path) as upgraded:
        assert upgraded.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_file_of_a_newer_schema_is_refused_in_one_line(tmp_path):
    path = tmp_path / "tune.sqlite"
    with sqlite3.connect(path) as newer:
        newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ConfigError, match=f"has schema {SCHEMA_VERSION + 1}, newer") as err:
        TuneDatabase(path)
    assert "\n" not in str(err.value)
