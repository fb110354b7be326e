"""x[a, b]: integer-array indexing over leading axes, its gradient, and the tutorials' NLL idiom."""
import numpy as np
import pytest

from warpbench.errors import ShapeError
from warpbench.graph import (arange, fmatrix, function, grad, inc_subtensor, ivector, log, matrix, mean,
                             set_subtensor, softmax, tensor, vector, verify_grad)


def test_pairs_of_index_vectors_pick_like_numpy():
    x, a, b = tensor("x", "float64", 3), vector("a", "int64"), vector("b", "int32")
    value = np.arange(2 * 5 * 3, dtype=np.float64).reshape(2, 5, 3)
    rows, cols = np.array([1, 0, 1, 1]), np.array([4, 0, -1, 4], np.int32)
    fn = function([x, a, b], [x[a, b], x[a, 2], x[1, b]], device="cpu")
    for got, want in zip(fn(value, rows, cols), [value[rows, cols], value[rows, 2], value[1, cols]]):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_the_negative_log_likelihood_of_the_tutorials(emu, device):
    x, y = fmatrix("x"), ivector("y")
    p = softmax(x)
    nll = -mean(log(p)[arange(y.shape[0]), y])
    fn = function([x, y], [nll, grad(nll, x)], device=device)
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((7, 5)).astype(np.float32), rng.integers(0, 5, 7).astype(np.int32)
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    loss, dx = fn(logits, labels)
    np.testing.assert_allclose(loss, -np.log(probs[np.arange(7), labels]).mean(), rtol=1e-5)
    np.testing.assert_allclose(dx, (probs - np.eye(5)[labels]) / 7, rtol=1e-4, atol=1e-6)


def test_repeated_positions_add_up_in_the_gradient():
    def picked(x):
        return x[np.array([0, 2, 0]), np.array([1, 1, 1])] * np.array([1.0, 2.0, 3.0])
    verify_grad(picked, [np.random.default_rng(1).standard_normal((3, 2))])
    x = matrix("x", "float64")
    g = function([x], grad(picked(x).sum(), x), device="cpu")(np.zeros((3, 2)))
    np.testing.assert_array_equal(g, [[0, 4], [0, 0], [0, 2]])


def test_inc_and_set_at_pairs():
    x, a, b, y = matrix("x", "float64"), vector("a", "int64"), vector("b", "int64"), vector("y", "float64")
    fn = function([x, a, b, y], [inc_subtensor(x[a, b], y), set_subtensor(x[a, b], y)], device="cpu")
    inc, put = fn(np.zeros((2, 2)), [0, 0, 1], [1, 1, 0], [1.0, 2.0, 5.0])
    np.testing.assert_array_equal(inc, [[0, 3], [5, 0]])
    np.testing.assert_array_equal(put[1], [5, 0])


def test_bad_index_arrays_are_one_clear_error():
    x, a, b = matrix("x", "float64"), vector("a", "int64"), vector("b", "int64")
    fn = function([x, a, b], x[a, b], device="cpu")
    with pytest.raises(ShapeError, match="index 7 is out of range for axis 1 of size 3"):
        fn(np.zeros((2, 3)), [0, 1], [0, 7])
    with pytest.raises(ShapeError, match=r"do not broadcast together"):
        fn(np.zeros((2, 3)), [0, 1], [0, 1, 2])
    with pytest.raises(ShapeError, match="3 index arrays"):
        x[a, b, a]
    with pytest.raises(ShapeError, match="integer vectors or scalars"):
        x[a, vector("f", "float64")]
