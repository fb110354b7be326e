"""hostcode.lstm against a plain NumPy loop with the kernels' conventions (gates i, f, g, o)."""
import numpy as np
import pytest
from scipy.special import expit

from warpbench.errors import DTypeError, ShapeError
from warpbench.hostcode import lstm

DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-12, atol=1e-13)}
# (T, B, I, H)
SIZES = [(1, 1, 1, 1), (5, 3, 7, 4), (13, 2, 3, 31), (4, 7, 13, 1), (3, 1, 2, 64), (0, 2, 3, 4)]


def cell_ref(z, c):
    h_ = c.shape[1]
    i, f = expit(z[:, :h_]), expit(z[:, h_:2 * h_])
    g, o = np.tanh(z[:, 2 * h_:3 * h_]), expit(z[:, 3 * h_:])
    c = f * c + i * g
    return o * np.tanh(c), c


def lstm_ref(x, w, u, b, h0=None, c0=None, reverse=False):
    t_, b_, _ = x.shape
    h_ = u.shape[0]
    h = np.zeros((b_, h_)) if h0 is None else h0.astype(np.float64)
    c = np.zeros((b_, h_)) if c0 is None else c0.astype(np.float64)
    hs = np.zeros((t_, b_, h_))
    for t in (range(t_ - 1, -1, -1) if reverse else range(t_)):
        h, c = cell_ref(x[t].astype(np.float64) @ w + h @ u + b, c)
        hs[t] = h
    return hs, h, c


def params(i_, h_, dtype, seed):
    rng = np.random.default_rng(seed)
    return tuple((rng.standard_normal(s) * 0.5).astype(dtype)
                 for s in ((i_, 4 * h_), (h_, 4 * h_), (4 * h_,)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("b_,h_", [(1, 1), (3, 7), (2, 13), (5, 64)])
def test_lstm_cell(b_, h_, dtype):
    rng = np.random.default_rng(0)
    gates = (rng.standard_normal((b_, 4 * h_)) * 3).astype(dtype)
    c_prev = rng.standard_normal((b_, h_)).astype(dtype)
    h_ref, c_ref = cell_ref(gates.astype(np.float64), c_prev.astype(np.float64))
    h_out, c_out = np.full((b_, h_), np.nan, dtype), np.full((b_, h_), np.nan, dtype)
    h, c = lstm.lstm_cell(gates, c_prev, h_out, c_out)
    assert h is h_out and c is c_out
    np.testing.assert_allclose(h, h_ref, **TOL[dtype])
    np.testing.assert_allclose(c, c_ref, **TOL[dtype])
    h, c = lstm.lstm_cell(gates, c_prev, c_out=c_prev)
    assert c is c_prev
    np.testing.assert_allclose(c, c_ref, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("t_,b_,i_,h_", SIZES)
@pytest.mark.parametrize("initial", [False, True])
def test_lstm_forward(t_, b_, i_, h_, initial, dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((t_, b_, i_)).astype(dtype)
    w, u, b = params(i_, h_, dtype, 2)
    h0, c0 = (rng.standard_normal((2, b_, h_)).astype(dtype) if initial else (None, None))
    out = np.full((t_, b_, h_), np.nan, dtype)
    hs, h_t, c_t = lstm.lstm_forward(x, w, u, b, h0, c0, out=out)
    hs_ref, h_ref, c_ref = lstm_ref(x, w, u, b, h0, c0)
    assert hs is out
    np.testing.assert_allclose(hs, hs_ref, **TOL[dtype])
    np.testing.assert_allclose(h_t, h_ref, **TOL[dtype])
    np.testing.assert_allclose(c_t, c_ref, **TOL[dtype])
    if initial:
        assert h_t is not h0 and c_t is not c0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("t_,b_,i_,h_", SIZES)
def test_bilstm_forward(t_, b_, i_, h_, dtype):
    x = np.random.default_rng(3).standard_normal((t_, b_, i_)).astype(dtype)
    fw, bw = params(i_, h_, dtype, 4), params(i_, h_, dtype, 5)
    out = np.full((t_, b_, 2 * h_), np.nan, dtype)
    assert lstm.bilstm_forward(x, fw, bw, out=out) is out
    np.testing.assert_allclose(out[..., :h_], lstm_ref(x, *fw)[0], **TOL[dtype])
    np.testing.assert_allclose(out[..., h_:], lstm_ref(x, *bw, reverse=True)[0], **TOL[dtype])


def test_non_contiguous_inputs():
    x = np.random.default_rng(6).standard_normal((6, 4, 10))
    w, u, b = params(5, 3, np.float64, 7)
    got = lstm.lstm_forward(x[::2, :, ::2], w, np.asfortranarray(u), b)[0]
    np.testing.assert_allclose(got, lstm_ref(x[::2, :, ::2], w, u, b)[0], **TOL[np.float64])


def test_errors():
    x = np.zeros((5, 3, 7))
    w, u, b = params(7, 4, np.float64, 0)
    msg = r"^lstm_forward: W is 6x16, expected 7x16 \(input size 7, hidden size 4, batch 3\)$"
    with pytest.raises(ShapeError, match=msg):
        lstm.lstm_forward(x, w[:6], u, b)
    with pytest.raises(ShapeError, match="lstm_forward: U is 4x12, expected 4x16"):
        lstm.lstm_forward(x, w, u[:, :12], b)
    with pytest.raises(ShapeError, match="lstm_forward: b is 15, expected 16"):
        lstm.lstm_forward(x, w, u, b[:15])
    with pytest.raises(ShapeError, match="lstm_forward: c0 is 3x5, expected 3x4"):
        lstm.lstm_forward(x, w, u, b, c0=np.zeros((3, 5)))
    with pytest.raises(ShapeError, match="lstm_forward: x must be 3-D, got shape 3x7"):
        lstm.lstm_forward(x[0], w, u, b)
    with pytest.raises(DTypeError, match="lstm_forward: U dtype float32 does not match"):
        lstm.lstm_forward(x, w, u.astype(np.float32), b)
    with pytest.raises(ShapeError, match="bilstm_forward: bw W is 7x12, expected 7x16"):
        lstm.bilstm_forward(x, (w, u, b), (w[:, :12], u, b))
    with pytest.raises(ShapeError, match="bilstm_forward: fw hidden size 4 != bw hidden size 2"):
        lstm.bilstm_forward(x, (w, u, b), params(7, 2, np.float64, 1))
    with pytest.raises(ShapeError, match=(r"bilstm_forward: fw params must be a \(W, U, b\) "
                                          r"triple")):
        lstm.bilstm_forward(x, (w, u), (w, u, b))
    with pytest.raises(ShapeError, match="lstm_cell: gates is 3x15 but c_prev is 3x4"):
        lstm.lstm_cell(np.zeros((3, 15)), np.zeros((3, 4)))
