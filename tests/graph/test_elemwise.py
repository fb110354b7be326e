"""Elementwise ops: NumPy references at awkward shapes, broadcasting, dtypes, gradients,
and the kernel each form generates for a device (run on emu in test_fusion.py)."""
import numpy as np
import pytest
from scipy import special

from warpbench.errors import WarpbenchError
from warpbench.graph import (Add, exp, function, relu, sigmoid, tanh, tensor, tensor4, vector,
                             verify_grad)
from warpbench.graph.elemwise import Neg
from warpbench.graph.op import device_kernel_of

AWKWARD = [(1,), (2,), (7,), (31,), (257,), (1, 1), (1, 13), (13, 1), (3, 5), (17, 4), (2, 3, 5, 7)]


def _run(build, values, dtype="float32"):
    inputs = [tensor(f"i{k}", dtype, np.ndim(v)) for k, v in enumerate(values)]
    return function(inputs, build(*inputs), device="cpu")(*values)


@pytest.mark.parametrize("shape", AWKWARD, ids=str)
def test_book_expression_matches_numpy(shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    got = _run(lambda v: v * 2 + 4 * v, [x])
    assert got.dtype == np.float32 and got.shape == shape
    np.testing.assert_allclose(got, x * 2 + 4 * x, rtol=1e-6)


FRIENDS = [
    (lambda x, y: x - y / 3 + 1, lambda x, y: x - y / 3 + 1),
    (lambda x, y: -(x * y) + 2 - x, lambda x, y: -(x * y) + 2 - x),
    (lambda x, y: exp(x) * tanh(y), lambda x, y: np.exp(x) * np.tanh(y)),
    (lambda x, y: sigmoid(x) + relu(y), lambda x, y: special.expit(x) + np.maximum(y, 0)),
    (lambda x, y: 1 / (1 + exp(-x)) - y, lambda x, y: 1 / (1 + np.exp(-x)) - y),
]


@pytest.mark.parametrize("shape", [(1,), (7,), (5, 3), (1, 31)], ids=str)
@pytest.mark.parametrize("index", range(len(FRIENDS)))
def test_friends_match_numpy(index, shape):
    build, reference = FRIENDS[index]
    rng = np.random.default_rng(index)
    x, y = (rng.standard_normal(shape) for _ in range(2))
    for dtype, rtol in (("float32", 1e-5), ("float64", 1e-12)):
        got = _run(build, [x.astype(dtype), y.astype(dtype)], dtype)
        assert got.dtype == dtype
        np.testing.assert_allclose(got, reference(x, y), rtol=rtol, atol=rtol)


def test_broadcasting_like_numpy():
    rng = np.random.default_rng(2)
    col, row, s = rng.standard_normal((3, 1)), rng.standard_normal((1, 5)), np.float64(1.5)
    got = _run(lambda a, b, c: a * b + c, [col, row, s], "float64")
    np.testing.assert_allclose(got, col * row + s)
    x4 = rng.standard_normal((2, 3, 1, 7))
    v = rng.standard_normal(7)
    xs, vs = tensor4("x", "float64"), vector("v", "float64")
    np.testing.assert_allclose(function([xs, vs], xs + vs, device="cpu")(x4, v), x4 + v)


def test_integer_and_mixed_dtypes():
    i = vector("i", "int32")
    f = function([i], [i * 3, i / 2, i * 2.5], device="cpu")
    triple, half, scaled = f(np.array([1, 2, 3], np.int32))
    assert triple.dtype == np.int32 and half.dtype == np.float64 and scaled.dtype == np.float64
    np.testing.assert_array_equal(triple, [3, 6, 9])


def test_make_node_checks_arity():
    with pytest.raises(WarpbenchError, match="Add takes 2 input"):
        Add().make_node(vector("x"))
    with pytest.raises(WarpbenchError, match="Neg takes 1 input"):
        Neg().make_node(vector("x"), vector("y"))


@pytest.mark.parametrize("build", [
    lambda x: x * 2, lambda x: 3 - x, lambda x: x * x, lambda x: x / 2, lambda x: -x, lambda x: exp(x),
    lambda x: tanh(x), lambda x: sigmoid(x), lambda x: relu(x), lambda x: x * np.ones(3, np.float32),
])
def test_every_form_has_a_generated_device_kernel(build):
    node = build(vector("x")).owner
    spec = device_kernel_of(node)
    assert spec.entry == f"elemwise_{type(node.op).__name__.lower()}"
    assert f"__global__ void {spec.entry}(" in spec.code


def test_device_kernel_dtypes():
    x64, i = vector("x", "float64"), vector("i", "int32")
    assert "const double v0 = (((double)i0) * ((double)i1));" in device_kernel_of((x64 * 2).owner).code
    # int32 * 2.5 is float64 in NumPy: the kernel computes in double too
    assert "const double v0 = (((double)i0) * ((double)i1));" in device_kernel_of((i * 2.5).owner).code
    assert "const int v0 = (((int)i0) * ((int)i1));" in device_kernel_of((i * 2).owner).code
    h = vector("h", "float16")  # no C type: stays on the host
    assert device_kernel_of((h * 2).owner) is None


GRADS = [
    (lambda x, y: x + y, [(3, 1), (1, 4)]),
    (lambda x, y: x - y, [(5,), (1,)]),
    (lambda x, y: x * y, [(2, 3), (3,)]),
    (lambda x, y: x / y, [(4,), (4,)]),
    (lambda x: -x, [(3, 2)]),
    (lambda x: exp(x), [(5,)]),
    (lambda x: tanh(x), [(2, 3)]),
    (lambda x: sigmoid(x), [(7,)]),
    (lambda x: relu(x), [(9,)]),
    (lambda x: x * 2 + 4 * x, [(3,)]),
    (lambda x: x * x * x - 1 / x, [(2, 2)]),
]


@pytest.mark.parametrize("index", range(len(GRADS)))
def test_verify_grad(index):
    fn, shapes = GRADS[index]
    rng = np.random.default_rng(index)
    # Keep away from 0 (relu's kink, 1/x) so central differences are meaningful.
    points = [rng.uniform(0.5, 1.5, s) * rng.choice([-1, 1], s) for s in shapes]
    verify_grad(fn, points)


def test_verify_grad_float32():
    verify_grad(lambda x, y: tanh(x) * y, [np.float32([0.3, -0.7]), np.float32([1.5, 2.0])])


def test_matrix_plus_scalar_input():
    got = _run(lambda m, s: m + s, [np.ones((2, 3), np.float32), np.float32(2)])
    np.testing.assert_array_equal(got, np.full((2, 3), 3, np.float32))
