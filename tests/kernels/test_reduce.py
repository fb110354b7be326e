"""Sum/max along an axis and argmax kernels on the emulator."""
import numpy as np
import pytest

from warpbench.check import check_kernel, check_schedules
from warpbench.errors import ConfigError, DTypeError, ShapeError
from warpbench.kernels import get, select

FAMILIES = ["reduce_sum", "reduce_max", "argmax"]
VARIANTS = [s.name for s in select(FAMILIES)]
SWEEP_SHAPES = ((45, 70), (70, 36))


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


@pytest.mark.parametrize("name,config", [(n, c) for n in ("reduce_sum", "argmax_warp_row") for c in get(n).space()])
def test_every_config_computes_the_same_result(emu, assert_checks, name, config):
    axes = (0, 1) if name == "reduce_sum" else (None,)
    problems = [{"rows": r, "cols": c, "axis": axis, "dtype": "float32"} for r, c in SWEEP_SHAPES for axis in axes]
    assert_checks(check_kernel(emu.compile(name, config), problems))


# Every kernel that shares partial results through shared memory (the column tiles and the
# block reduction of reduce.cuh), at a problem that uses several warps and blocks.
SHARED_MEMORY_CASES = [
    ("reduce_sum", {"rows": 300, "cols": 40, "axis": 0, "dtype": "float32"}),
    ("reduce_max_f64", {"rows": 77, "cols": 36, "axis": 0, "dtype": "float64"}),
    ("sgemv_warp_row", {"M": 37, "N": 45, "trans": 1, "alpha": 1.0, "beta": 0.5, "dtype": "float32"}),
    ("sgemv_vec4_row", {"M": 37, "N": 68, "trans": 1, "alpha": 1.0, "beta": 0.0, "dtype": "float32"}),
    ("softmax_block_row", {"rows": 3, "cols": 1000, "dtype": "float32"}),
    ("log_softmax_block_row_f64", {"rows": 2, "cols": 333, "dtype": "float64"}),
]


@pytest.mark.parametrize("name,problem", SHARED_MEMORY_CASES)
def test_shared_memory_kernels_do_not_depend_on_the_schedule(emu, name, problem):
    report = check_schedules(emu.compile(name), problem)
    assert report.identical, report.summary()


def test_argmax_returns_the_first_maximum(emu):
    x = np.array([[1, 3, 3, 0], [2, 2, 2, 2], [-np.inf, -np.inf, -np.inf, -np.inf]], np.float32)
    np.testing.assert_array_equal(emu.compile("argmax_warp_row").run(x), [1, 0, 0])


def test_axis_and_shape_errors_name_the_values(emu):
    kernel = emu.compile("reduce_sum")
    x = np.zeros((3, 4), np.float32)
    with pytest.raises(ShapeError, match="reduce_sum: axis must be 0 or 1 .* got 2"):
        kernel.run(x, axis=2)
    with pytest.raises(ShapeError, match="reduce_sum: x must be a matrix"):
        kernel.run(np.zeros((2, 3, 4), np.float32), axis=0)
    with pytest.raises(ShapeError, match="reduce_max: x of shape \\(3, 0\\) is empty"):
        emu.compile("reduce_max").run(np.zeros((3, 0), np.float32), axis=1)
    with pytest.raises(DTypeError, match="argmax: x has dtype int32"):
        emu.compile("argmax_warp_row").run(np.zeros((3, 4), np.int32))
    with pytest.raises(ConfigError, match="BLOCK_ROWS=33"):
        emu.compile("reduce_max", {"BLOCK_ROWS": 33})


def test_negative_axis_counts_from_the_end(emu):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(emu.compile("reduce_sum").run(x, axis=-1), x.sum(axis=1))
    np.testing.assert_array_equal(emu.compile("reduce_max").run(x, axis=-2), x.max(axis=0))


@pytest.mark.parametrize("family", FAMILIES)
def test_host_code_passes_every_check_problem(cpu, assert_checks, family):
    assert_checks(check_kernel(cpu.host_kernel(family)))
