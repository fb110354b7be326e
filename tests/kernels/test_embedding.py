"""Embedding gather kernels on the emulator."""
import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import ConfigError, DTypeError, ShapeError
from warpbench.kernels import get, select

VARIANTS = [s.name for s in select(["embedding"])]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


@pytest.mark.parametrize("config", [c for c in get("embedding_gather").space() if c["BLOCK_Y"] in (1, 4, 32)])
def test_configs_compute_the_same_result(emu, assert_checks, config):
    problems = [p for p in get("embedding_gather").workload.check_problems if p["dtype"] == "float32"][1:4]
    assert_checks(check_kernel(emu.compile("embedding_gather", config), problems))


def test_gathers_rows_for_ids_of_any_shape(emu):
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    ids = np.array([[3, 0], [0, 2]], np.int32)
    got = emu.compile("embedding_gather").run(table, ids)
    assert got.shape == (2, 2, 3)
    np.testing.assert_array_equal(got, table[ids])


def test_ids_are_validated_on_the_host(emu):
    kernel = emu.compile("embedding_gather")
    table = np.zeros((5, 2), np.float32)
    with pytest.raises(ShapeError, match=r"embedding: ids\[1, 0\] = -1 out of range \[0, 5\) \(table has 5 rows\)"):
        kernel.run(table, np.array([[0, 1], [-1, 2]], np.int32))
    with pytest.raises(DTypeError, match="embedding: ids has dtype int64, the kernel reads int32"):
        kernel.run(table, np.array([0, 1]))
    with pytest.raises(ShapeError, match="embedding: table must be a matrix"):
        kernel.run(np.zeros(5, np.float32), np.array([0], np.int32))
    with pytest.raises(ConfigError, match="BLOCK_X=128, BLOCK_Y=16"):
        emu.compile("embedding_gather", {"BLOCK_X": 128, "BLOCK_Y": 16})


def test_host_code_passes_every_check_problem(cpu, assert_checks):
    assert_checks(check_kernel(cpu.host_kernel("embedding")))
