"""A Theano user's first tests of warpbench.graph: the Theano tutorial's examples, with
``import theano.tensor as T`` replaced by ``import warpbench.graph as T`` and a device."""
import io

import numpy as np
import pytest

import warpbench.graph as T
from warpbench.graph import config, debugprint, function, grad, pprint, print_profile, scan, shared


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_adding_two_scalars_and_two_matrices(device):
    x, y = T.dscalar("x"), T.dscalar("y")
    f = function([x, y], x + y, device=device)
    assert f(2, 3) == 5.0 and f(16.3, 12.1) == pytest.approx(28.4)
    a, b = T.dmatrix("a"), T.dmatrix("b")
    g = function([a, b], a + b, device=device)
    assert np.array_equal(g([[1, 2], [3, 4]], [[10, 20], [30, 40]]), [[11, 22], [33, 44]])


def test_logistic_function_and_several_outputs():
    x = T.dmatrix("x")
    logistic = function([x], 1 / (1 + T.exp(-x)), device="cpu")
    assert np.allclose(logistic([[0, 1], [-1, -2]]), [[0.5, 0.73105858], [0.26894142, 0.11920292]])
    a, b = T.dmatrix("a"), T.dmatrix("b")
    diff = a - b
    f = function([a, b], [diff, abs(diff), diff ** 2], device="cpu")
    got = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    assert [g.tolist() for g in got] == [[[1, 0], [-1, -2]], [[1, 0], [1, 2]], [[1, 0], [1, 4]]]


def test_shared_variable_accumulator_with_updates():
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)], device="cpu")
    assert accumulator(1) == 0 and state.get_value() == 1
    accumulator(300)
    assert state.get_value() == 301
    state.set_value(-1)
    accumulator(3)
    assert state.get_value() == 2
    decrementor = function([inc], state, updates=[(state, state - inc)], device="cpu")
    decrementor(2)
    assert state.get_value() == 0


def test_givens_replaces_a_shared_variable():
    state = shared(0)
    inc, foo = T.iscalar("inc"), T.scalar(dtype=state.dtype)
    skip_shared = function([inc, foo], state * 2 + inc, givens=[(state, foo)], device="cpu")
    assert skip_shared(1, 3) == 7 and state.get_value() == 0


def test_gradients_of_x_squared_and_of_the_logistic():
    x = T.dscalar("x")
    gy = grad(x ** 2, x)
    assert function([x], gy, device="cpu")(4) == 8.0
    assert "x" in pprint(gy)
    m = T.dmatrix("x")
    gs = grad(T.sum(1 / (1 + T.exp(-m))), m)
    dlogistic = function([m], gs, device="cpu")
    assert np.allclose(dlogistic([[0, 1], [-1, -2]]), [[0.25, 0.19661193], [0.19661193, 0.10499359]])


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_logistic_regression_tutorial_learns(device):
    rng = np.random.default_rng(0)
    n, feats = 64, 8
    data_x = rng.standard_normal((n, feats)).astype(np.float32)
    data_y = (data_x[:, 0] > 0).astype(np.float32)
    x, y = T.matrix("x"), T.vector("y")
    w = shared(np.zeros(feats, np.float32), name="w")
    b = shared(np.float32(0.0), name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
    prediction = p_1 > 0.5
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = grad(cost, [w, b])
    train = function([x, y], [prediction, xent], updates=((w, w - 0.5 * gw), (b, b - 0.5 * gb)), device=device)
    predict = function([x], prediction, device=device)
    for _ in range(50):
        train(data_x, data_y)
    assert (predict(data_x) == data_y).mean() > 0.9
    assert w.get_value().shape == (feats,) and np.argmax(np.abs(w.get_value())) == 0


def test_scan_computes_a_power_and_a_polynomial():
    k, a = T.iscalar("k"), T.vector("A")
    result, updates = scan(fn=lambda prior, a: prior * a, outputs_info=T.ones_like(a), non_sequences=a, n_steps=k)
    power = function([a, k], result[-1], updates=updates, device="cpu")
    assert np.allclose(power(np.arange(10, dtype=np.float32), 2), np.arange(10) ** 2)
    coefficients, x = T.vector("coefficients"), T.scalar("x")
    components, _ = scan(fn=lambda c, p, free: c * (free ** p), outputs_info=None,
                         sequences=[coefficients, T.arange(10)], non_sequences=x)
    polynomial = function([coefficients, x], components.sum(), device="cpu")
    assert polynomial(np.asarray([1, 0, 2], dtype=np.float32), 3) == pytest.approx(19.0)


def test_scan_gradient_through_time():
    x0, w = T.scalar("x0"), T.scalar("w")
    states, _ = scan(fn=lambda h, w: T.tanh(h * w), outputs_info=x0, non_sequences=w, n_steps=3)
    g = function([x0, w], grad(states[-1], w), device="cpu")
    h, eps = 0.5, 1e-3

    def last(weight):
        value = h
        for _ in range(3):
            value = np.tanh(value * weight)
        return value
    assert g(h, 0.7) == pytest.approx((last(0.7 + eps) - last(0.7 - eps)) / (2 * eps), rel=1e-2)


def test_debugprint_and_pprint():
    x = T.vector("x")
    text = debugprint(x * 2 + 1, file="str")
    assert text.splitlines()[0].startswith("Add [id A]") and "x [id" in text
    buffer = io.StringIO()
    debugprint(function([x], x * 2 + 1, device="emu"), file=buffer)
    assert "GpuFromHost" in buffer.getvalue() and "HostFromGpu" in buffer.getvalue()
    assert pprint(x * 2 + 1) == "(x * 2) + 1"


def test_config_floatx(monkeypatch):
    assert config.floatX == "float32" and T.vector().dtype == "float32"
    monkeypatch.setattr(config, "floatX", "float64")
    assert T.vector().dtype == "float64" and T.matrix().dtype == "float64"
    x = T.scalar("x")
    assert function([x], x * 1.5, device="cpu")(2).dtype == np.float64


def test_profile_true_gives_theanos_summary():
    x = T.matrix("x")
    f = function([x], T.tanh(x).sum(), device="cpu", profile=True)
    for _ in range(3):
        f(np.ones((4, 4), np.float32))
    text = print_profile(f, file=io.StringIO())
    assert "Function profiling" in text and "Tanh" in text and "Sum" in text
    assert f.profile.calls == 2   # the first call is excluded


def test_theano_tensor_ops():
    x = T.vector("x")
    f = function([x], [T.switch(T.lt(x, 0), 0, x), T.mean(x), T.max(x), T.argmax(x), x.reshape((2, 1)),
                       x.dimshuffle("x", 0)], device="cpu")
    relu, mean, largest, where, column, row = f(np.array([-1, 3], np.float32))
    assert relu.tolist() == [0, 3] and mean == 1 and largest == 3 and where == 1
    assert column.shape == (2, 1) and row.shape == (1, 2)


def test_maker_fgraph_toposort():
    x = T.vector("x")
    f = function([x], T.exp(x), device="cpu")
    assert [type(n.op).__name__ for n in f.maker.fgraph.toposort()]
