"""log1p, expm1, erf, softplus (fused C expressions), sqr, outer, argmin, binary_crossentropy, eval."""
import numpy as np
import pytest
from scipy import special

from warpbench.graph import (argmin, erf, expm1, function, log1p, matrix, nnet, outer, softplus, sqr, vector,
                             verify_grad)

POINTS = np.array([-40.0, -1.5, -1e-9, 0.0, 0.3, 2.0, 700.0])


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_the_functions_match_numpy_fused_and_alone(emu, device):
    x = vector("x", "float64")
    outputs = [log1p(x * x), expm1(x / 800), erf(x), softplus(x), softplus(x) * 2 + erf(x)]
    got = function([x], outputs, device=device)(POINTS)
    want = [np.log1p(POINTS ** 2), np.expm1(POINTS / 800), special.erf(POINTS), np.logaddexp(0, POINTS),
            2 * np.logaddexp(0, POINTS) + special.erf(POINTS)]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-300)
    assert np.isfinite(got[3]).all(), "softplus never overflows"


@pytest.mark.parametrize("op", [log1p, expm1, erf, softplus])
def test_gradients(op):
    verify_grad(op, [np.array([0.2, 0.9, 1.7])])


def test_helpers_written_with_existing_ops():
    a, b, m = vector("a", "float64"), vector("b", "float64"), matrix("m", "float64")
    fn = function([a, b, m], [sqr(a), outer(a, b), argmin(m, axis=1), argmin(m)], device="cpu")
    values = np.array([1.0, -2.0]), np.array([3.0, 4.0, 5.0]), np.array([[3.0, 1.0, 1.0], [0.0, 2.0, -1.0]])
    squared, product, rows, flat = fn(*values)
    np.testing.assert_array_equal(squared, [1.0, 4.0])
    np.testing.assert_array_equal(product, np.outer(*values[:2]))
    np.testing.assert_array_equal(rows, [1, 2])
    assert flat == 5


def test_binary_crossentropy_of_a_sigmoid():
    z, t = vector("z", "float64"), vector("t", "float64")
    loss = function([z, t], nnet.binary_crossentropy(nnet.sigmoid(z), t), device="cpu")
    p = special.expit(np.array([0.5, -1.0]))
    np.testing.assert_allclose(loss([0.5, -1.0], [1.0, 0.0]), [-np.log(p[0]), -np.log(1 - p[1])])


def test_eval_computes_and_keeps_its_function():
    x = vector("x", "float64")
    y = x * 3
    assert y.eval({x: np.array([1.0, 2.0])}).tolist() == [3.0, 6.0]
    assert y.eval({x: np.array([0.5])}).tolist() == [1.5]
    assert len(y._eval_functions) == 1
