"""``warpbench run``'s tuning: what it tunes first, and the report's tuning section from the database.

Each run selects only ``copy`` and leaves the networks out, to stay fast; the database is a
file of the test's own, so nothing tuned here changes another test's defaults.
"""
import json

import pytest

from tests.cli.support import run_cli
from tests.tune.test_summary import fixture_database
from warpbench.cli import run as run_command
from warpbench.runtime import get_device
from warpbench.tune.database import TuneDatabase
from warpbench.tune.objective import objective_for


@pytest.fixture
def database(tmp_path, monkeypatch):
    path = tmp_path / "tune.sqlite"
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(path))
    return path


def stored(path) -> dict[str, int]:
    """Configurations per kernel in the database."""
    with TuneDatabase(path) as db:
        counts = {}
        for run, key in db.runs():
            counts[key.kernel] = counts.get(key.kernel, 0) + len(db.evaluations(run))
        return counts


def test_run_tunes_the_selected_cheap_kernel_first_and_reports_it(capsys, tmp_path, database, monkeypatch):
    monkeypatch.setattr(run_command, "TUNE_BUDGET", 2)
    device = get_device()
    code, out, _ = run_cli(capsys, "run", "copy", "--no-networks", "--out", str(tmp_path / "report"))
    assert code == 0 and stored(database) == {"copy": 2}
    assert out.index(f"tune on {device.name}") < out.index("check on")
    assert f"copy on {device.kind}: " in out and "2 configs (2 new, 0 from the database)" in out
    page = (tmp_path / "report" / "report.html").read_text()
    assert f">Tuning: copy on {device.kind}<" in page and f'data-chart="tuning-speedup-{device.kind}"' in page
    rows = json.loads((tmp_path / "report" / "results.json").read_text())["tuning"]
    assert [(r["kernel"], r["objective"]) for r in rows] == [("copy", objective_for(device, None))] * 2
    assert sum(r["default"] for r in rows) == 1


def test_no_tune_only_reads_the_database_for_the_selected_kernels(capsys, tmp_path, database):
    device = get_device()
    fixture_database(database, device)
    before = stored(database)
    code, out, _ = run_cli(capsys, "run", "copy", "--no-networks", "--no-tune", "--out", str(tmp_path / "report"))
    assert code == 0 and "tune on" not in out and stored(database) == before
    markdown = (tmp_path / "report" / "report.md").read_text()
    assert f"## Tuning: copy on {device.kind}" in markdown and "source changed since" in markdown
    assert "transpose_padded" not in markdown.split("## Tuning on")[1], "only the selected kernels"
    rows = json.loads((tmp_path / "report" / "results.json").read_text())["tuning"]
    assert [(r["kernel"], r["stale"], r["value_s"]) for r in rows] == [("copy", True, 4e-6)]
