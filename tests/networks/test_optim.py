"""SGD with momentum and Adam against the formulas, on a quadratic whose gradient is known."""
import numpy as np
import pytest

from warpbench.errors import UnknownNameError
from warpbench.graph import function, shared, vector
from warpbench.networks.optim import optimizer_updates

TARGET = np.array([1.0, -2.0, 0.5], np.float32)


def _steps(name, n, lr, **kwargs):
    """The parameter after each of ``n`` steps on loss = sum((p - t)^2) / 2 (gradient p - t)."""
    p = shared(np.zeros(3, np.float32), "p")
    t = vector("t")
    loss = (((p - t) * (p - t)).sum()) * 0.5
    step = function([t], loss, device="cpu", updates=optimizer_updates(name, loss, [p], lr, **kwargs))
    values = []
    for _ in range(n):
        step(TARGET)
        values.append(p.get_value())
    return values


def test_sgd_momentum_follows_the_formula():
    p, v, expected = np.zeros(3), np.zeros(3), []
    for _ in range(4):
        v = 0.9 * v - 0.1 * (p - TARGET)
        p = p + v
        expected.append(p.copy())
    np.testing.assert_allclose(_steps("sgd", 4, 0.1, momentum=0.9), expected, rtol=1e-5)


def test_adam_follows_the_formula():
    p, m, v, expected = np.zeros(3), np.zeros(3), np.zeros(3), []
    for t in range(1, 5):
        g = p - TARGET
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        p = p - 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        expected.append(p.copy())
    np.testing.assert_allclose(_steps("adam", 4, 0.01), expected, rtol=1e-4)


def test_unknown_optimizer_is_named():
    with pytest.raises(UnknownNameError, match="unknown optimizer 'rmsprop'.*sgd, adam"):
        optimizer_updates("rmsprop", None, [], 0.1)
