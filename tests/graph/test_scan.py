"""scan: Theano's contract, the loop's results against NumPy, and backpropagation through time."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph import constant, dot, function, grad, matrix, shared, tanh, tensor, vector, verify_grad
from warpbench.graph.basic import toposort
from warpbench.graph.scan import scan
from warpbench.graph.scan_op import Scan

T, B, I, H = 3, 2, 3, 4


def rnn(x, W, U, b, h0, **options):
    """tanh(x_t W + h_{t-1} U + b) over x's rows."""
    h, updates = scan(lambda x_t, h_prev, W, U, b: tanh(dot(x_t, W) + dot(h_prev, U) + b), sequences=x,
                      outputs_info=h0, non_sequences=[W, U, b], **options)
    assert updates == {}
    return h


def rnn_points(dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, s).astype(dtype) for s in [(T, B, I), (I, H), (H, H), (H,), (B, H)]]


def rnn_reference(x, W, U, b, h, backwards=False):
    states = []
    for t in (reversed(range(len(x))) if backwards else range(len(x))):
        h = np.tanh(x[t] @ W + h @ U + b)
        states.append(h)
    return np.array(states)


def rnn_inputs(dtype="float64"):
    return [tensor("x", dtype, 3), matrix("W", dtype), matrix("U", dtype), vector("b", dtype), matrix("h0", dtype)]


@pytest.mark.parametrize("backwards", [False, True])
def test_forward_matches_numpy_on_cpu_and_emu(emu, backwards):
    inputs, points = rnn_inputs("float32"), rnn_points("float32")
    for device in ("cpu", "emu"):
        out = function(inputs, rnn(*inputs, go_backwards=backwards), device=device)(*points)
        np.testing.assert_allclose(out, rnn_reference(*points, backwards=backwards), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_verify_grad_of_a_small_rnn(emu, device):
    verify_grad(rnn, rnn_points(), device=device)


def test_verify_grad_backwards_with_a_non_recurrent_output_and_a_captured_shared_variable():
    rng = np.random.default_rng(1)
    W = shared(rng.uniform(-1, 1, (I, H)), name="W")

    def two_outputs(x, U, h0):
        (h, y), _ = scan(lambda x_t, h_prev, U: [tanh(dot(x_t, W) + dot(h_prev, U)), tanh(h_prev) * 2.0],
                         sequences=x, outputs_info=[h0, None], non_sequences=U, go_backwards=True)
        return h * y
    verify_grad(two_outputs, [rng.uniform(-1, 1, s) for s in [(T, B, I), (H, H), (B, H)]])
    x, U, h0 = tensor("x", "float64", 3), matrix("U", "float64"), matrix("h0", "float64")
    g = function([x, U, h0], grad(two_outputs(x, U, h0).sum(), U))
    # Gradient w.r.t. the shared W exists too (it became a non-sequence of the loop).
    assert grad(two_outputs(x, U, h0).sum(), W).ndim == 2
    assert g(*[rng.uniform(-1, 1, s) for s in [(T, B, I), (H, H), (B, H)]]).shape == (H, H)


def test_the_gradient_is_a_scan_going_the_other_way():
    inputs = rnn_inputs()
    cost = rnn(*inputs).sum()
    loops = [n.op for n in toposort([grad(cost, inputs[1])]) if isinstance(n.op, Scan)]
    assert {op.reverse for op in loops} == {False, True}


def test_n_steps_takes_the_first_rows_and_differentiates():
    points = rnn_points()
    inputs = rnn_inputs()
    out = function(inputs, rnn(*inputs, n_steps=2))(*points)
    np.testing.assert_allclose(out, rnn_reference(*points)[:2], rtol=1e-12)
    verify_grad(lambda *v: rnn(*v, n_steps=2), points)


def test_without_sequences_n_steps_gives_the_length():
    h0 = vector("h0", "float64")
    powers, _ = scan(lambda h: h * 2.0, outputs_info=h0, n_steps=4)
    np.testing.assert_array_equal(function([h0], powers)(np.ones(2)), [[2, 2], [4, 4], [8, 8], [16, 16]])


def test_infer_shape_gives_the_output_shape_without_running_the_loop():
    inputs = rnn_inputs()
    h = rnn(*inputs)
    node = h.owner.inputs[0].owner
    shapes = node.op.infer_shape(node, [(T, B, I), (B, H), (I, H), (H, H), (H,)])
    assert shapes == [(T + 1, B, H)]
    assert tuple(function(inputs, h.shape)(*rnn_points())) == (T, B, H)


def test_bad_loops_are_refused_with_clear_messages():
    x, h0 = tensor("x", "float64", 3), matrix("h0", "float64")
    with pytest.raises(WarpbenchError, match="scan: give sequences or n_steps"):
        scan(lambda h: h, outputs_info=h0)
    with pytest.raises(WarpbenchError, match=r"returned 2 output\(s\) but outputs_info has 1"):
        scan(lambda x_t, h: [h, h], sequences=x, outputs_info=[h0])
    with pytest.raises(DTypeError, match="the step returns .* for the recurrent output"):
        scan(lambda x_t, h: x_t.sum(), sequences=x, outputs_info=[h0])
    with pytest.raises(WarpbenchError, match="only \\[-1\\]"):
        scan(lambda x_t, h: h, sequences=x, outputs_info=[dict(initial=h0, taps=[-2])])
    grows, _ = scan(lambda x_t, h: dot(h, matrix("M", "float64")), sequences=x, outputs_info=h0)
    M = grows.owner.inputs[0].owner.inputs[-1]
    f = function([x, h0, M], grows)
    with pytest.raises(ShapeError, match=r"Scan\{scan, forward\}: .*returned a 2x5 value for recurrent output 0, "
                                         r"whose initial state is 2x4"):
        f(np.zeros((T, B, I)), np.zeros((B, H)), np.zeros((H, 5)))



def test_integer_sequences_get_no_gradient_and_the_floats_still_do():
    counts, h0, W = tensor("counts", "int64", 1), vector("h0", "float64"), matrix("W", "float64")
    h, _ = scan(lambda n, h, W: tanh(h * n + W.sum()), sequences=counts, outputs_info=h0, non_sequences=W)
    history = h.owner.inputs[0]
    grads = history.owner.op.grad(history.owner.inputs, [history * 1.0])
    assert grads[0] is None and grads[1] is not None and grads[2] is not None
    d_h0, d_W = function([counts, h0, W], grad(h.sum(), [h0, W]))(np.array([1, 2, 3]), np.array([0.1, -0.2]),
                                                                   np.full((2, 2), 0.1))
    assert d_W.shape == (2, 2) and np.all(d_h0 != 0)
    verify_grad(lambda h0, W: scan(lambda n, h, W: tanh(h * n + W.sum()), sequences=constant(np.array([1, 2, 3])),
                                   outputs_info=h0, non_sequences=W)[0], [np.array([0.1, -0.2]), np.full((2, 2), 0.1)])
