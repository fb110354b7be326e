"""A bi-LSTM written with the public API only: two fused LSTM layers, one over the reversed
sequence, joined with ``concatenate``; it agrees with the fused ``bilstm`` op, forward and
gradients, and differentiates on cpu and emu."""
import numpy as np
import pytest

from warpbench.graph import bilstm, concatenate, function, grad, lstm, matrix, tensor, vector


def _bilstm_by_hand(x, W_f, U_f, b_f, W_b, U_b, b_b):
    forward, _ = lstm(x, W_f, U_f, b_f)
    backward, _ = lstm(x[::-1], W_b, U_b, b_b)
    return concatenate([forward, backward[::-1]], axis=2)


@pytest.mark.parametrize("device,dtype,tol", [("cpu", "float64", 1e-10), ("emu", "float32", 2e-5)])
def test_concatenated_directions_agree_with_the_fused_bilstm(request, device, dtype, tol):
    request.getfixturevalue(device)
    T, B, I, H = 5, 3, 4, 6
    rng = np.random.default_rng(1)
    values = [rng.uniform(-0.5, 0.5, s).astype(dtype)
              for s in [(T, B, I), (I, 4 * H), (H, 4 * H), (4 * H,), (I, 4 * H), (H, 4 * H), (4 * H,)]]
    x = tensor("x", dtype, 3)
    params = [matrix("W_f", dtype), matrix("U_f", dtype), vector("b_f", dtype),
              matrix("W_b", dtype), matrix("U_b", dtype), vector("b_b", dtype)]
    by_hand, fused = _bilstm_by_hand(x, *params), bilstm(x, *params)
    weights = (by_hand * by_hand).sum()
    check = (fused * fused).sum()
    f = function([x, *params], [by_hand, fused, *grad(weights, [x, *params]), *grad(check, [x, *params])],
                 device=device)
    out = f(*values)
    hand, fused_out, grads = out[0], out[1], out[2:]
    assert hand.shape == (T, B, 2 * H)
    np.testing.assert_allclose(hand, fused_out, rtol=tol, atol=tol)
    for g_hand, g_fused in zip(grads[:7], grads[7:]):
        np.testing.assert_allclose(g_hand, g_fused, rtol=tol * 10, atol=tol * 10)
