"""``warpbench tune`` on the emulator: the Done-when runs of issue 11, stored and resumed."""
import json

import pytest

from warpbench.cli import main


@pytest.fixture
def database(tmp_path, monkeypatch):
    path = tmp_path / "tune.sqlite"
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(path))
    return path


def test_tune_transpose_padded_lists_stores_and_resumes(capsys, database, tmp_path):
    assert main(["tune", "transpose_padded", "--device", "emu"]) == 0
    out, err = capsys.readouterr()
    assert "| config" in out and "model µs" in out and "time µs" not in out
    assert "10 configs (10 new, 0 from the database) with brute_force: 10 verified, 0 failed, 0 pruned" in out
    assert "ranked by a model" in err and database.is_file()
    assert main(["tune", "transpose_padded", "--device", "emu", "--json", "--export", str(tmp_path / "t4.json")]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 10 and all(r["status"] == "verified" and r["model"] > 0 for r in rows)
    assert json.loads((tmp_path / "t4.json").read_text())["metadata"]["kernel"] == "transpose_padded"
    assert main(["tune", "--show", "transpose_padded"]) == 0
    assert "transpose_padded on emu" in capsys.readouterr().out


def test_show_without_a_database_says_so(capsys, database):
    assert main(["tune", "--show", "transpose_padded"]) == 2
    assert "nothing tuned yet" in capsys.readouterr().err


def test_budget_and_time_limit_exclude_each_other(capsys, database):
    assert main(["tune", "transpose_padded", "--budget", "3", "--time-limit", "5"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.slow
def test_tune_sgemm_warptile_with_a_budget_prunes_verifies_and_resumes(capsys, database):
    assert main(["tune", "sgemm_warptile", "--device", "emu", "--budget", "30", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    statuses = {r["status"] for r in rows}
    assert len(rows) == 30 and "verified" in statuses and "pruned" in statuses
    assert all(r["reason"] for r in rows if r["status"] in ("pruned", "failed"))
    assert main(["tune", "sgemm_warptile", "--device", "emu", "--budget", "32"]) == 0
    assert "32 configs (2 new, 30 from the database) with tpe" in capsys.readouterr().out


def test_problem_fields_are_checked_and_become_the_run_key(capsys, database):
    assert main(["tune", "transpose_padded", "--device", "emu", "--problem", "rows=40,cols=50", "--budget", "2",
                 "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 and rows[0]["problem"] == {"rows": 40, "cols": 50, "dtype": "float32"}
    assert main(["tune", "transpose_padded", "--device", "emu", "--problem", "depth=3"]) == 2
    assert "no problem field 'depth'" in capsys.readouterr().err
