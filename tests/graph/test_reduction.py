"""Sum, Fill and SumTo: values, shape checks and gradients; on emu, Fill and SumTo (so the
gradients of broadcasting) run on the device at awkward shapes."""
import numpy as np
import pytest

from warpbench.errors import ShapeError
from warpbench.graph import fill, function, grad, matrix, sum, sum_to, tensor, vector, verify_grad
from warpbench.graph.gpu_op import GpuElemwise
from warpbench.graph.reduction import SumTo
from warpbench.graph.shape import ShapedZeros
from warpbench.graph.transfer import placement

from .agree import assert_on_device


def test_sum_is_a_scalar_of_the_inputs_dtype():
    x = matrix("x")
    s = x.sum()
    assert s.ndim == 0 and s.dtype == "float32"
    got = function([x], s, device="cpu")(np.ones((3, 7), np.float32))
    assert got.shape == () and got.dtype == np.float32 and got == 21


@pytest.mark.parametrize("g_shape, like_shape", [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 4), (1, 4)),
                                                 ((3, 4), (3, 1)), ((2, 3, 4), ()), ((5,), (1,))])
def test_sum_to_is_the_adjoint_of_broadcasting(g_shape, like_shape):
    g, like = np.arange(np.prod(g_shape), dtype=np.float64).reshape(g_shape), np.zeros(like_shape)
    gv, lv = tensor("g", "float64", len(g_shape)), tensor("l", "float64", len(like_shape))
    got = function([gv, lv], sum_to(gv, lv), device="cpu")(g, like)
    assert got.shape == like_shape
    # <broadcast(y), g> == <y, sum_to(g)> for every y: check with y = ones
    assert np.isclose(got.sum(), g.sum())


def test_sum_to_refuses_shapes_broadcasting_cannot_give():
    g, like = matrix("g"), matrix("like")
    f = function([g, like], sum_to(g, like), device="cpu")
    with pytest.raises(ShapeError, match="cannot come from broadcasting shape 3x4"):
        f(np.zeros((3, 1), np.float32), np.zeros((3, 4), np.float32))
    with pytest.raises(ShapeError, match="cannot broadcast input shapes 3x4, 3x5"):
        f(np.zeros((3, 4), np.float32), np.zeros((3, 5), np.float32))


def test_fill_broadcasts_the_value():
    m, v = matrix("m"), vector("v")
    got = function([m, v], fill(m, v), device="cpu")(np.zeros((2, 3), np.float32), np.float32([1, 2, 3]))
    np.testing.assert_array_equal(got, [[1, 2, 3], [1, 2, 3]])


def test_verify_grad_sum_and_fill():
    rng = np.random.default_rng(0)
    verify_grad(lambda x: sum(x), [rng.standard_normal((3, 5))])
    verify_grad(lambda m, v: fill(m, v) * m, [rng.standard_normal((2, 3)), rng.standard_normal(3)])


SUM_TO_CASES = [((1,), (1,)), ((7,), ()), ((3, 5), (5,)), ((3, 5), (3, 1)), ((1, 5), (1, 1)), ((2, 3, 5, 7), (3, 1, 1)),
                ((2, 3, 5, 7), (1, 3, 5, 1)), ((13, 1, 11), (1, 1, 11)), ((4, 6), (4, 6))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("g_shape, like_shape", SUM_TO_CASES, ids=[str(c) for c in SUM_TO_CASES])
def test_sum_to_runs_on_the_device(emu, g_shape, like_shape, dtype):
    g = np.random.default_rng(0).uniform(0.5, 1.5, g_shape).astype(dtype)
    gv, lv = tensor("g", dtype, len(g_shape)), tensor("l", dtype, len(like_shape))
    f = function([gv, lv], sum_to(gv, lv) * 2, device="emu")
    assert_on_device(f, SumTo)
    leading = len(g_shape) - len(like_shape)
    want = g.sum(axis=tuple(range(leading))) if leading else g
    want = want.sum(axis=tuple(i for i, n in enumerate(like_shape) if n == 1), keepdims=True) * 2
    got = f(g, np.zeros(like_shape, dtype))
    assert got.shape == like_shape and got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == "float32" else 1e-13)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fill_and_the_gradients_of_broadcasting_run_on_the_device(emu, dtype):
    x, b = tensor("x", dtype, 3), tensor("b", dtype, 3)
    f = function([x, b], [fill(x, b) * 3] + grad(((x * b) ** 2).sum() + x.sum(axis=(0, 2)).sum(), [x, b]),
                 device="emu")
    assert_on_device(f, SumTo, GpuElemwise)
    fills = [n for n in f.fgraph.toposort() if "fill" in str(n.op).lower()]
    assert fills and all(placement(n) == "emu" for n in fills)
    assert not any(isinstance(n.op, ShapedZeros) and placement(n) == "cpu" for n in f.fgraph.toposort())
    rng = np.random.default_rng(1)
    a, c = rng.standard_normal((2, 5, 3)).astype(dtype), rng.standard_normal((1, 5, 1)).astype(dtype)
    filled, dx, db = f(a, c)
    np.testing.assert_array_equal(filled, np.broadcast_to(c, (2, 5, 3)) * 3)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(dx, 2 * a * c * c + 1, rtol=rtol)
    np.testing.assert_allclose(db, (2 * a * a * c).sum(axis=(0, 2), keepdims=True), rtol=rtol)


def test_verify_grad_of_broadcasting_on_the_device(emu):
    rng = np.random.default_rng(2)
    verify_grad(lambda x, b: (x * b + fill(x, b)).sum(axis=1), [rng.standard_normal((3, 7, 2)),
                                                                rng.standard_normal((7, 1))], device="emu")
