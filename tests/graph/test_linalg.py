"""Transpose and Dot: NumPy references at awkward shapes, shape errors, gradients; Transpose
of every dtype on the device."""
import numpy as np
import pytest

from warpbench.errors import ShapeError
from warpbench.graph import dot, function, matrix, vector, verify_grad
from warpbench.graph.linalg import Transpose, transpose
from warpbench.graph.op import device_kernel_of

from .agree import assert_on_device

SHAPES = [(1, 1), (1, 97), (97, 1), (7, 13), (33, 65), (129, 31)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_transpose_matches_numpy(shape, dtype):
    a = np.arange(np.prod(shape)).reshape(shape).astype(dtype)
    x = matrix("x", dtype)
    got = function([x], x.T, device="cpu")(a)
    np.testing.assert_array_equal(got, a.T)
    assert got.flags.c_contiguous and got.dtype == dtype


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_transpose_runs_the_permute_kernel_on_the_device_where_the_study_has_no_dtype(emu, shape, dtype):
    a = np.arange(np.prod(shape)).reshape(shape).astype(dtype)
    x = matrix("x", dtype)
    f = function([x], x.T * 3, device="emu")
    (node,) = assert_on_device(f, Transpose)
    assert device_kernel_of(node).name == f"permute_{dtype}_2d"
    np.testing.assert_array_equal(f(a), a.T * 3)


def test_the_transpose_op_needs_a_matrix():
    with pytest.raises(ShapeError, match="Transpose: x must be a matrix, got v of type TensorType"):
        transpose(vector("v"))


@pytest.mark.parametrize("m, k, n", [(1, 1, 1), (3, 7, 2), (1, 13, 5), (17, 1, 3)])
def test_dot_matches_numpy(m, k, n):
    rng = np.random.default_rng(k)
    a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32)
    x, y = matrix("x"), matrix("y")
    got = function([x, y], x @ y, device="cpu")(a, b)
    np.testing.assert_allclose(got, a @ b, rtol=1e-5, atol=1e-5)


def test_dot_mixed_dtypes_upcast():
    x, y = matrix("x", "float32"), matrix("y", "float64")
    got = function([x, y], dot(x, y), device="cpu")(np.ones((2, 3), np.float32), np.ones((3, 2)))
    assert got.dtype == np.float64 and np.all(got == 3)


def test_dot_inner_dimension_mismatch_names_the_node():
    x, y = matrix("x"), matrix("y")
    f = function([x, y], dot(x, y), device="cpu")
    with pytest.raises(ShapeError) as info:
        f(np.zeros((2, 3), np.float32), np.zeros((4, 5), np.float32))
    message = str(info.value)
    assert message.startswith("Dot(x, y) [toposort index 0, on cpu")
    assert "inner dimensions differ: 2x3 @ 4x5" in message
    assert "x float32 array of shape 2x3, y float32 array of shape 4x5" in message


def test_verify_grad_transpose_and_dot():
    rng = np.random.default_rng(0)
    verify_grad(lambda x: transpose(x), [rng.standard_normal((2, 5))])
    verify_grad(lambda x, y: dot(x, y), [rng.standard_normal((3, 4)), rng.standard_normal((4, 2))])
    verify_grad(lambda x: x.T @ x, [rng.standard_normal((3, 2))])


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_dot_takes_vectors_as_theano_does(device):
    x, w, v = matrix("x"), vector("w"), vector("v")
    xs, ws, vs = np.arange(12, dtype=np.float32).reshape(3, 4), np.arange(4, dtype=np.float32), np.ones(3, np.float32)
    f = function([x, w, v], [dot(x, w), dot(v, x), dot(w, w), x @ w], device=device)
    got = f(xs, ws, vs)
    for value, expected in zip(got, [xs @ ws, vs @ xs, ws @ ws, xs @ ws]):
        assert value.shape == np.shape(expected) and np.allclose(value, expected)


def test_verify_grad_dot_with_vectors():
    rng = np.random.default_rng(1)
    verify_grad(lambda x, w: dot(x, w), [rng.standard_normal((3, 4)), rng.standard_normal(4)])
    verify_grad(lambda v, x: dot(v, x), [rng.standard_normal(3), rng.standard_normal((3, 4))])
    verify_grad(lambda v, w: dot(v, w), [rng.standard_normal(3), rng.standard_normal(3)])


def test_dot_of_a_3d_tensor_names_the_op():
    from warpbench.graph import tensor
    with pytest.raises(ShapeError, match="Dot: x must be a matrix"):
        dot(tensor("t", ndim=3), matrix("m"))
