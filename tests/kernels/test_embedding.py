"""Embedding gather and scatter-add (gradient) kernels on the emulator."""
import numpy as np
import pytest

from warpbench.check import check_kernel, check_schedules
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


@pytest.mark.parametrize("workload", ["embedding", "embedding_grad"])
def test_host_code_passes_every_check_problem(cpu, assert_checks, workload):
    assert_checks(check_kernel(cpu.host_kernel(workload)))


SCATTER_VARIANTS = ["embedding_scatter_atomic", "embedding_scatter_owned", "embedding_scatter_owned_f64"]
# Ids out of order, repeated, and a row (2) that no id touches.
IDS = np.array([[4, 0, 4], [3, 0, 4], [1, 3, 0]], np.int32)


@pytest.mark.parametrize("name", SCATTER_VARIANTS)
def test_scatter_adds_repeated_ids_onto_the_table(emu, name):
    dtype = np.float64 if name.endswith("_f64") else np.float32
    dout = np.arange(IDS.size * 3, dtype=dtype).reshape(IDS.shape + (3,))
    dtable = np.full((5, 3), 0.5, dtype)
    expected = dtable.copy()
    np.add.at(expected, IDS, dout)
    kernel = emu.compile(name)
    got = kernel.run(dout, IDS, dtable)
    np.testing.assert_array_equal(got, expected)
    assert (got[2] == 0.5).all() and got[4, 0] == 0.5 + 0 + 15 + 6
    no_ids = np.zeros(0, np.int32)
    np.testing.assert_array_equal(kernel.run(np.zeros((0, 3), dtype), no_ids, dtable), dtable)


@pytest.mark.parametrize("config", [c for c in get("embedding_scatter_owned").space()
                                    if c["ROWS_PER_BLOCK"] in (1, 64, 1024)])
def test_owned_rows_configs_add_in_the_order_of_np_add_at(emu, config):
    """Each table element has one writer adding in increasing r: bit for bit np.add.at in float32,
    at any configuration, with many repeats (V = 3) and more ids than a ballot covers."""
    kernel = emu.compile("embedding_scatter_owned", config)
    rng = np.random.default_rng(1)
    for vocabulary, width, count in ((3, 37, 300), (70, 5, 45)):
        ids = rng.integers(0, vocabulary, count).astype(np.int32)
        dout = rng.standard_normal((count, width)).astype(np.float32) * 1e3
        dtable = rng.standard_normal((vocabulary, width)).astype(np.float32)
        expected = dtable.copy()
        np.add.at(expected, ids, dout)
        np.testing.assert_array_equal(kernel.run(dout, ids, dtable), expected)


@pytest.mark.parametrize("config", [{"BLOCK_X": 32, "BLOCK_Y": 1}, {"BLOCK_X": 256, "BLOCK_Y": 4}])
def test_atomic_configs_compute_the_same_result(emu, assert_checks, config):
    problems = [p for p in get("embedding_scatter_atomic").workload.check_problems if p["dtype"] == "float32"]
    assert_checks(check_kernel(emu.compile("embedding_scatter_atomic", config), problems[5:9]))


@pytest.mark.parametrize("name", SCATTER_VARIANTS)
def test_scatter_does_not_depend_on_the_schedule(emu, name):
    """The owned-rows kernel is exactly schedule-free; the atomic one within the checker's float
    atomics tolerance (repeated ids land in any order)."""
    dtype = "float64" if name.endswith("_f64") else "float32"
    problem = {"V": 5, "D": 40, "ids_shape": (70,), "count": 70, "dtype": dtype}
    report = check_schedules(emu.compile(name), problem)
    assert report.identical, report.summary()


def test_scatter_inputs_are_validated_on_the_host(emu):
    kernel = emu.compile("embedding_scatter_owned")
    dtable, ids = np.zeros((5, 2), np.float32), np.array([0, 4, 1], np.int32)
    with pytest.raises(ShapeError, match=r"embedding_grad: ids\[1\] = 5 out of range \[0, 5\) \(dtable has 5 rows\)"):
        kernel.run(np.zeros((3, 2), np.float32), np.array([0, 5, 1], np.int32), dtable)
    with pytest.raises(ShapeError, match=r"embedding_grad: dout has shape \(3, 4\), expected .* \(3, 2\)"):
        kernel.run(np.zeros((3, 4), np.float32), ids, dtable)
    with pytest.raises(DTypeError, match="embedding_grad: arrays must share one dtype, got dout float64, "
                                         "dtable float32"):
        kernel.run(np.zeros((3, 2)), ids, dtable)
    with pytest.raises(DTypeError, match="embedding_grad: ids has dtype int64"):
        kernel.run(np.zeros((3, 2), np.float32), ids.astype(np.int64), dtable)
    with pytest.raises(ConfigError, match="BLOCK_X=48"):
        emu.compile("embedding_scatter_owned", {"BLOCK_X": 48})
