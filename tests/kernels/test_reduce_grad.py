"""Gradients of sum/mean and max along an axis on the emulator and in host code."""
import numpy as np
import pytest

from warpbench.check import check_kernel, check_schedules
from warpbench.errors import ConfigError, DTypeError, ShapeError
from warpbench.kernels import get, select

WORKLOADS = ["reduce_sum_grad", "reduce_max_grad"]
VARIANTS = [s.name for s in select(WORKLOADS)]
SWEEP_SHAPES = ((45, 70), (70, 36))


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


@pytest.mark.parametrize("name,config", [("reduce_max_grad", c) for c in get("reduce_max_grad").space()]
                         + [("reduce_sum_grad", c) for c in get("reduce_sum_grad").space() if c["BLOCK_Y"] in (1, 32)])
def test_every_config_computes_the_same_result(emu, assert_checks, name, config):
    extra = {"scale": 0.25} if name == "reduce_sum_grad" else {}
    problems = [{"rows": r, "cols": c, "axis": axis, "dtype": "float32", **extra}
                for r, c in SWEEP_SHAPES for axis in (0, 1)]
    assert_checks(check_kernel(emu.compile(name, config), problems))


@pytest.mark.parametrize("name,problem", [
    ("reduce_max_grad", {"rows": 300, "cols": 40, "axis": 0, "dtype": "float32"}),
    ("reduce_max_grad_f64", {"rows": 77, "cols": 36, "axis": 0, "dtype": "float64"}),
    ("reduce_max_grad", {"rows": 20, "cols": 100, "axis": 1, "dtype": "float32"}),
])
def test_max_grad_does_not_depend_on_the_schedule(emu, name, problem):
    report = check_schedules(emu.compile(name), problem)
    assert report.identical, report.summary()


X = np.array([[1, 3, 3, 0], [2, 2, 2, 2], [-np.inf, -np.inf, -np.inf, -np.inf]], np.float32)


@pytest.mark.parametrize("name", ["reduce_max_grad", "reduce_max_grad_f64"])
def test_max_grad_goes_to_the_first_maximum(emu, name):
    kernel = emu.compile(name)
    x = X.astype(np.float64) if name.endswith("_f64") else X
    rows = kernel.run(x, np.array([10, 20, 30], x.dtype), axis=1)
    np.testing.assert_array_equal(rows, [[0, 10, 0, 0], [20, 0, 0, 0], [30, 0, 0, 0]])
    columns = kernel.run(x, np.array([1, 2, 3, 4], x.dtype), axis=0)
    np.testing.assert_array_equal(columns, [[0, 2, 3, 0], [1, 0, 0, 4], [0, 0, 0, 0]])


def test_max_grad_matches_argmax_along_a_column_tile_with_many_ties(emu):
    """Equal values across the warps of a column tile: the first row must win, not the warp's."""
    x = np.zeros((100, 33), np.float32)
    x[[7, 40, 99], 5] = 1.0
    got = emu.compile("reduce_max_grad", {"BLOCK_ROWS": 4}).run(x, np.ones(33, np.float32), axis=0)
    assert got[7, 5] == 1 and got[0, 6] == 1 and got.sum() == 33


@pytest.mark.parametrize("name", ["reduce_sum_grad", "reduce_sum_grad_f64"])
def test_sum_grad_broadcasts_and_mean_scales(emu, name):
    kernel = emu.compile(name)
    dtype = np.float64 if name.endswith("_f64") else np.float32
    dy = np.array([1, 2, 3], dtype)
    np.testing.assert_array_equal(kernel.run(dy, rows=2, cols=3, axis=0), [[1, 2, 3], [1, 2, 3]])
    np.testing.assert_array_equal(kernel.run(dy, rows=3, cols=2, axis=-1, scale=0.5), [[0.5] * 2, [1] * 2, [1.5] * 2])
    assert kernel.run(np.zeros(0, dtype), rows=0, cols=3, axis=1).shape == (0, 3)


def test_errors_name_the_workload_and_values(emu):
    sum_grad, max_grad = emu.compile("reduce_sum_grad"), emu.compile("reduce_max_grad")
    with pytest.raises(ShapeError, match="reduce_sum_grad: dy has 3 entries, the reduction of a 2x4 matrix "
                                         "along axis 0 has 4"):
        sum_grad.run(np.zeros(3, np.float32), rows=2, cols=4, axis=0)
    with pytest.raises(ShapeError, match="reduce_sum_grad: cols .* must be a non-negative integer, got None"):
        sum_grad.run(np.zeros(3, np.float32), rows=3, axis=1)
    with pytest.raises(ShapeError, match="reduce_sum_grad: axis must be 0 or 1 .* got 2"):
        sum_grad.run(np.zeros(3, np.float32), rows=3, cols=3, axis=2)
    with pytest.raises(ShapeError, match="reduce_sum_grad: dy must be a vector"):
        sum_grad.run(np.zeros((1, 3), np.float32), rows=2, cols=3, axis=0)
    with pytest.raises(DTypeError, match="reduce_max_grad: arrays must share one dtype, got x float32, dy float64"):
        max_grad.run(np.zeros((2, 3), np.float32), np.zeros(3), axis=0)
    with pytest.raises(ShapeError, match=r"reduce_max_grad: x of shape \(0, 3\) is empty"):
        max_grad.run(np.zeros((0, 3), np.float32), np.zeros(3, np.float32), axis=0)
    with pytest.raises(ConfigError, match="BLOCK_ROWS=33"):
        emu.compile("reduce_max_grad", {"BLOCK_ROWS": 33})


@pytest.mark.parametrize("workload", WORKLOADS)
def test_host_code_passes_every_check_problem(cpu, assert_checks, workload):
    assert_checks(check_kernel(cpu.host_kernel(workload)))
