"""zeros, ones, alloc, zeros_like, ones_like, arange: values, dtypes, symbolic extents, gradients."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph import (alloc, arange, function, matrix, ones, ones_like, scalar, vector, verify_grad, zeros,
                             zeros_like)
from warpbench.graph.config import float_x

from .agree import device  # noqa: F401 (device is a fixture)


def test_zeros_and_ones_take_numbers_and_symbolic_extents(device):
    x = matrix("x")
    outs = [zeros((2, 3)), ones(4, "int32"), zeros(x.shape), ones((x.shape[1], 2), "float64"), zeros(())]
    got = function([x], outs, device=device)(np.empty((5, 7), np.float32))
    assert [g.shape for g in got] == [(2, 3), (4,), (5, 7), (7, 2), ()]
    assert [g.dtype.name for g in got] == [float_x(), "int32", float_x(), "float64", float_x()]
    assert all((g == v).all() for g, v in zip(got, [0, 1, 0, 1, 0]))


def test_zeros_like_and_ones_like_keep_the_dtype_or_take_one(device):
    x = matrix("x")
    got = function([x], [zeros_like(x), ones_like(x, "int8"), ones_like(x) + x], device=device)(np.full((2, 3), 4,
                                                                                                        np.float32))
    assert (got[0].dtype, got[1].dtype) == (np.float32, np.int8)
    np.testing.assert_array_equal(got[0], np.zeros((2, 3)))
    np.testing.assert_array_equal(got[1], np.ones((2, 3)))
    np.testing.assert_array_equal(got[2], np.full((2, 3), 5))


@pytest.mark.parametrize("args, kwargs, want", [
    ((5,), {}, np.arange(5)), ((1, 7, 2), {}, np.arange(1, 7, 2)), ((6, 0, -2), {}, np.arange(6, 0, -2)),
    ((0.0, 1.0, 0.25), {}, np.arange(0, 1, 0.25, dtype=float_x())), ((3,), {"dtype": "float64"}, np.arange(3.0)),
])
def test_arange_matches_numpy(args, kwargs, want, device):
    out = arange(*args, **kwargs)
    got = function([], out, device=device)()
    assert got.dtype == want.dtype and out.dtype == want.dtype.name
    np.testing.assert_array_equal(got, want)


def test_arange_with_a_symbolic_stop_and_a_zero_step():
    n = scalar("n", "int64")
    np.testing.assert_array_equal(function([n], arange(n) * 2, device="cpu")(4), [0, 2, 4, 6])
    with pytest.raises(ShapeError, match=r"ARange\{dtype='int64'\}.*step cannot be 0"):
        function([n], arange(0, 5, n), device="cpu")(0)


def test_alloc_broadcasts_and_its_gradient_sums(device):
    verify_grad(lambda v: alloc(v, 3, 2) * alloc(v, 3, 2), [np.array([1.5, -2.0])], device=device)
    verify_grad(lambda s: zeros((2, 2)) + alloc(s, 2, 2) * 3, [np.array(0.7)], device=device)


def test_bad_extents_are_refused():
    with pytest.raises(DTypeError, match="an extent must be an integer"):
        zeros((2, 1.5))
    with pytest.raises(DTypeError, match="an extent must be an integer"):
        zeros(vector("v").shape[0] * 0.5)
    with pytest.raises(ShapeError, match="more than the 1 extent"):
        alloc(np.zeros((2, 2)), 2)
    n = scalar("n", "int64")
    with pytest.raises(ShapeError, match=r"Alloc.*negative extent in \(2, -1\)"):
        function([n], zeros((2, n)), device="cpu")(-1)
