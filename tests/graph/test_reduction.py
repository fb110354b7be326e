"""Sum, Fill and SumTo: values, shape checks and gradients."""
import numpy as np
import pytest

from warpbench.errors import ShapeError
from warpbench.graph import fill, function, matrix, sum, sum_to, tensor, vector, verify_grad


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
