"""The Ray path on the local machine stores the same rows as the serial path."""
import pytest

import warpbench
from warpbench.errors import ConfigError
from warpbench.tune.database import TuneDatabase
from warpbench.tune.ray_backend import parse_parallel

ray = pytest.importorskip("ray")


def _rows(path):
    with TuneDatabase(path) as db:
        [(run, key)] = db.runs()
        return key, sorted((e.key, e.status, e.reason, e.value, e.max_error) for e in db.evaluations(run))


@pytest.mark.slow
def test_ray_and_serial_runs_store_the_same_rows(emu, tmp_path):
    problem = {"rows": 33, "cols": 65, "dtype": "float32"}
    serial = warpbench.tune("transpose_padded", problem, device=emu, database=tmp_path / "serial.sqlite")
    try:   # tune starts a local cluster whose workers import this checkout
        parallel = warpbench.tune("transpose_padded", problem, device=emu, database=tmp_path / "ray.sqlite",
                                  parallel="ray")
    finally:
        ray.shutdown()
    assert parallel.new == serial.new == 10
    assert _rows(tmp_path / "ray.sqlite") == _rows(tmp_path / "serial.sqlite")


def test_parallel_names_ray_or_nothing():
    assert parse_parallel(None) is None and parse_parallel("ray") == ""
    assert parse_parallel("ray:10.0.0.1:6379") == "10.0.0.1:6379"
    with pytest.raises(ConfigError, match="expected 'ray' or 'ray:ADDRESS'"):
        parse_parallel("dask")
