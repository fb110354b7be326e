"""The fused lstm and bilstm ops: finite differences, cpu against emu, errors naming the node."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError, UnknownNameError
from warpbench.graph import BiLSTM, bilstm, function, grad, lstm, tensor, verify_grad
from warpbench.graph.transfer import placement

T, B, I, H = 3, 2, 3, 2
LSTM_SHAPES = [(T, B, I), (I, 4 * H), (H, 4 * H), (4 * H,), (B, H), (B, H)]
BILSTM_SHAPES = [(T, B, I)] + [(I, 4 * H), (H, 4 * H), (4 * H,)] * 2


def points(shapes, dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, s).astype(dtype) for s in shapes]


def variables(shapes, dtype):
    return [tensor(f"v{i}", dtype, len(s)) for i, s in enumerate(shapes)]


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_lstm_verify_grad_through_hidden_states_final_cell_and_zero_state(emu, device):
    values = points(LSTM_SHAPES)
    verify_grad(lambda *v: lstm(*v)[0], values, device=device)
    verify_grad(lambda *v: lstm(*v)[1], values, device=device)
    verify_grad(lambda *v: lstm(*v)[0], values[:4], device=device)


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_bilstm_verify_grad(emu, device):
    verify_grad(bilstm, points(BILSTM_SHAPES), device=device)


@pytest.mark.parametrize("build, shapes", [(lambda *v: lstm(*v), LSTM_SHAPES),
                                           (lambda *v: [bilstm(*v)], BILSTM_SHAPES)])
def test_float32_forward_and_gradients_agree_between_cpu_and_the_emu_kernels(emu, build, shapes):
    """Tolerance 1e-5 absolute: float32 sums of a few dozen terms of size ~1."""
    inputs = variables(shapes, "float32")
    outputs = build(*inputs)
    cost = sum(((out * out).sum() for out in outputs[1:]), (outputs[0] * outputs[0]).sum())
    wanted = list(outputs) + grad(cost, inputs)
    on_emu = function(inputs, wanted, device="emu")
    kernels = {type(n.op).__name__ for n in on_emu.fgraph.toposort() if placement(n) == "emu"}
    assert kernels >= ({"LSTM", "LSTMGrad"} if len(shapes) == 6 else {"BiLSTM", "BiLSTMGrad"})
    values = points(shapes, "float32", seed=1)
    for cpu_value, emu_value in zip(function(inputs, wanted, device="cpu")(*values), on_emu(*values)):
        np.testing.assert_allclose(emu_value, cpu_value, rtol=1e-5, atol=1e-5)


def test_mismatched_shapes_and_dtypes_name_the_node():
    inputs = variables(LSTM_SHAPES, "float64")
    hs, _ = lstm(*inputs)
    f = function(inputs, hs)
    values = points(LSTM_SHAPES)
    values[1] = np.zeros((I + 1, 4 * H))
    with pytest.raises(ShapeError, match=r"LSTM\{initial_state=True, step='fused'\}.*: W is 4x8, expected 3x8 "
                                         r"\(input size 3, hidden size 2 from U's rows, batch 2\)"):
        f(*values)
    with pytest.raises(DTypeError, match=r"LSTM.*inputs must share one float dtype.*W float32"):
        lstm(inputs[0], tensor("W", "float32", 2), *inputs[2:])
    with pytest.raises(ShapeError, match="lstm: give both h0 and c0, or neither"):
        lstm(*inputs[:5])
    with pytest.raises(ShapeError, match=r"BiLSTM\{step='gemm'\}: takes 7 inputs"):
        BiLSTM("gemm")(*variables(BILSTM_SHAPES, "float64")[:6])
    with pytest.raises(UnknownNameError, match="LSTM: step must be one of fused, gemm, got 'cell'"):
        lstm(*inputs, step="cell")
