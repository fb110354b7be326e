"""The generated axis-reduce kernels against NumPy: every op and float dtype over awkward
shapes and axis sets, both schedules, other block sizes, outputs poisoned with NaN (an
element the kernel never writes stays NaN), on the emulator (and on a GPU when there is one)."""
import numpy as np
import pytest

from warpbench.errors import ShapeError
from warpbench.kernels.axis_reduce import (PER_THREAD_OUTPUTS, axis_reduce_spec, grouped_shape, groups,
                                           launch_axis_reduce, spec_for)

NUMPY = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min}
SHAPES_AXES = [((), ()), ((1,), (0,)), ((7,), (0,)), ((7,), ()), ((1, 1), (0, 1)), ((13, 1), (0,)), ((3, 5), (1,)),
               ((2, 7, 3), (1,)), ((2, 7, 3), (0, 2)), ((3, 1, 7, 2), (0, 2, 3)), ((5, 3, 2, 7), (1, 3)),
               ((2, 0, 3), (0, 2)), ((2, 0, 3), (1,)), ((37, 41), (0,)), ((3, 517), (1,))]


@pytest.fixture
def poisoned(emu, monkeypatch):
    """The emulator, every array it allocates without a fill poisoned with NaN."""
    allocate = emu.empty
    monkeypatch.setattr(emu, "empty", lambda shape, dtype, fill=None: allocate(
        shape, dtype, fill=np.nan if fill is None else fill))
    return emu


def reduce_on(device, op, a, axes, config=None):
    kernel = device.compile(spec_for(op, a.dtype.name, a.ndim, axes), config)
    shape = tuple(n for i, n in enumerate(a.shape) if i not in axes)
    return launch_axis_reduce(kernel, op, device.to_device(a), axes, shape).get()


def test_axes_group_into_runs_of_one_role():
    assert groups(4, (0, 2, 3)) == [(True, [0]), (False, [1]), (True, [2, 3])]
    assert grouped_shape((4, 3, 5, 2), (0, 2, 3)) == ([(3, 10)], [(4, 30), (10, 1)])
    assert grouped_shape((), ()) == ([], [])
    assert spec_for("sum", "float32", 4, (0, 2, 3)) is axis_reduce_spec("sum", "float32", 1, 2)


def defined(op, shape, axes) -> bool:
    """Whether NumPy gives ``op`` over ``axes`` of ``shape`` (max and min of nothing it refuses)."""
    return op not in ("max", "min") or 0 not in [shape[a] for a in axes]


CASES = [(op, shape, axes) for op in NUMPY for shape, axes in SHAPES_AXES if defined(op, shape, axes)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op, shape, axes", CASES, ids=[str(c) for c in CASES])
def test_matches_numpy_with_poisoned_outputs(poisoned, op, dtype, shape, axes):
    a = np.random.default_rng(0).uniform(0.9, 1.1, shape).astype(dtype)
    got = reduce_on(poisoned, op, a, axes)
    want = NUMPY[op](a, axis=axes)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == "float32" else 1e-13)


@pytest.mark.parametrize("shape, axes", [((PER_THREAD_OUTPUTS + 37, 3), (1,)), ((3, PER_THREAD_OUTPUTS + 5), (0,)),
                                         ((5, 7, PER_THREAD_OUTPUTS + 1), (0, 1)), ((2, 5, 3), (0, 2))])
@pytest.mark.parametrize("config", [{"BLOCK": 64, "BLOCKS_PER_SM": 2}, {"BLOCK": 1024, "BLOCKS_PER_SM": 2}])
def test_both_schedules_and_block_sizes_with_grid_striding(poisoned, shape, axes, config):
    a = np.random.default_rng(1).standard_normal(shape)
    np.testing.assert_allclose(reduce_on(poisoned, "sum", a, axes, config), a.sum(axis=axes), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_array_equal(reduce_on(poisoned, "max", a, axes, config), a.max(axis=axes))


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_and_min_of_nothing_are_refused(emu, op):
    with pytest.raises(ShapeError, match=rf"^{op} over axes \(1,\): the 2x0x3 array has no element"):
        reduce_on(emu, op, np.zeros((2, 0, 3)), (1,))
    assert reduce_on(emu, op, np.zeros((0, 4)), (1,)).shape == (0,)  # no output: nothing to refuse


def test_a_grouping_the_kernel_cannot_hold_is_refused(emu):
    kernel = emu.compile(axis_reduce_spec("sum", "float64", 1, 1))
    with pytest.raises(ShapeError, match=r"axis_reduce_sum_f64_k1_r1: reducing axes \(0, 2\) of a 3-D array "
                                         r"needs 1 kept and 2 reduced groups"):
        launch_axis_reduce(kernel, "sum", emu.to_device(np.ones((2, 3, 4))), (0, 2), (3,))


@pytest.mark.gpu
@pytest.mark.parametrize("op", list(NUMPY))
def test_matches_numpy_on_the_gpu(cuda, op):
    for shape, axes in SHAPES_AXES + [((64, 32, 17, 9), (0, 2, 3)), ((PER_THREAD_OUTPUTS * 3, 7), (1,))]:
        if not defined(op, shape, axes):
            continue
        for dtype in ("float32", "float64"):
            a = np.random.default_rng(2).uniform(0.99, 1.01, shape).astype(dtype)
            np.testing.assert_allclose(reduce_on(cuda, op, a, axes), NUMPY[op](a, axis=axes),
                                       rtol=1e-4 if dtype == "float32" else 1e-12, err_msg=f"{shape} {axes}")
