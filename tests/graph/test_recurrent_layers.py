"""With the public API only: an LSTM layer through scan and through the fused op, and a bi-LSTM,
built and differentiated; the two ways agree (forward and gradients)."""
import numpy as np
import pytest

from warpbench.graph import bilstm, constant, dot, function, grad, lstm, scan, sigmoid, tanh, tensor

T, B, I, H = 4, 3, 5, 3
SHAPES = {"x": (T, B, I), "W": (I, 4 * H), "U": (H, 4 * H), "b": (4 * H,), "h0": (B, H), "c0": (B, H)}
# float64 on cpu: both ways compute the same sums in another order; float32 on emu: kernels
# against the scan's host and kernel mix, sums of about I + H + T terms of size ~1.
TOLERANCE = {"cpu": 1e-10, "emu": 2e-5}
DTYPE = {"cpu": "float64", "emu": "float32"}


def gate_selectors(dtype):
    """Constant (4H, H) matrices picking each gate's columns: ``dot(gates, S[k])`` is gate k."""
    eye = np.eye(4 * H, dtype=dtype)
    return [constant(eye[:, k * H:(k + 1) * H]) for k in range(4)]


def lstm_through_scan(x, W, U, b, h0, c0, go_backwards=False):
    """The LSTM step of the book written with scan, gate order i, f, g, o."""
    pick = gate_selectors(x.dtype)

    def step(x_t, h_prev, c_prev, W, U, b):
        gates = dot(x_t, W) + dot(h_prev, U) + b
        i, f, o = (sigmoid(dot(gates, pick[k])) for k in (0, 1, 3))
        c = f * c_prev + i * tanh(dot(gates, pick[2]))
        return [o * tanh(c), c]
    (hs, cs), updates = scan(step, sequences=x, outputs_info=[h0, c0], non_sequences=[W, U, b],
                             go_backwards=go_backwards)
    assert not updates
    return hs


def values(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return {name: rng.uniform(-1, 1, shape).astype(dtype) for name, shape in SHAPES.items()}


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_lstm_layer_through_scan_and_through_the_fused_op_agree(emu, device):
    dtype = DTYPE[device]
    v = {name: tensor(name, dtype, len(shape)) for name, shape in SHAPES.items()}
    weights = np.random.default_rng(1).uniform(0.5, 1.5, (T, B, H)).astype(dtype)
    results = []
    for hs in (lstm_through_scan(*v.values()), lstm(*v.values())[0]):
        cost = (hs * constant(weights)).sum()
        f = function(list(v.values()), [hs, cost] + grad(cost, list(v.values())), device=device)
        results.append(f(*values(dtype).values()))
    for from_scan, fused in zip(*results):
        np.testing.assert_allclose(fused, from_scan, rtol=TOLERANCE[device], atol=TOLERANCE[device])


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_bilstm_agrees_with_two_scans_one_going_backwards(emu, device):
    """The fused bilstm concatenates the directions; the scans' cost pairs each half of the
    weights with its direction (the backward scan stores in the order it computes)."""
    dtype = DTYPE[device]
    x = tensor("x", dtype, 3)
    params = [tensor(f"{n}_{d}", dtype, len(SHAPES[n])) for d in "fb" for n in ("W", "U", "b")]
    zeros = constant(np.zeros((B, H), dtype))
    weights = np.random.default_rng(2).uniform(0.5, 1.5, (T, B, 2 * H)).astype(dtype)
    fused_cost = (bilstm(x, *params) * constant(weights)).sum()
    forward = lstm_through_scan(x, *params[:3], zeros, zeros)
    backward = lstm_through_scan(x, *params[3:], zeros, zeros, go_backwards=True)
    scan_cost = (forward * constant(weights[:, :, :H].copy())).sum() + \
        (backward * constant(weights[::-1, :, H:].copy())).sum()
    rng = np.random.default_rng(3)
    inputs = [rng.uniform(-1, 1, (T, B, I)).astype(dtype)] + \
        [rng.uniform(-1, 1, SHAPES[n]).astype(dtype) for _ in "fb" for n in ("W", "U", "b")]
    found = [function([x] + params, [cost] + grad(cost, [x] + params), device=device)(*inputs)
             for cost in (scan_cost, fused_cost)]
    for from_scan, fused in zip(*found):
        np.testing.assert_allclose(fused, from_scan, rtol=TOLERANCE[device], atol=TOLERANCE[device])
