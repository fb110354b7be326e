"""The fused bidirectional LSTM layer: ``bilstm(x, W_f, U_f, b_f, W_b, U_b, b_b) -> out``.

out (T, B, 2H) = [forward hidden states | backward hidden states], the backward direction
reading t = T-1 .. 0 and storing its step-t output at t; zero initial states. Forward: the
host code (cpu), the ``bilstm_forward_*`` pipelines (cuda, emu, float32); backward:
:class:`BiLSTMGrad`, the ``bilstm_backward`` pipeline or its NumPy reference.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError, UnknownNameError
from warpbench.graph.basic import Apply
from warpbench.graph.lstm import STEP_KINDS, float_inputs, problem, sequence_extents
from warpbench.graph.op import Op, output_variable
from warpbench.kernels.specs.lstm.reference import backward_reference, sequence_reference

WEIGHTS = ("W_f", "U_f", "b_f", "W_b", "U_b", "b_b")
REVERSE = {"_f": False, "_b": True}


def _directions(inputs):
    """((W, U, b, reverse) of the forward direction, then of the backward one)."""
    return [(*inputs[1 + 3 * k:4 + 3 * k], reverse) for k, reverse in enumerate(REVERSE.values())]


class BiLSTM(Op):
    """Both LSTM directions over x, concatenated along the last axis."""

    __props__ = ("step",)

    def __init__(self, step: str = "fused"):
        if step not in STEP_KINDS:
            raise UnknownNameError(f"BiLSTM: step must be one of {', '.join(STEP_KINDS)}, got {step!r}")
        self.step = step

    def make_node(self, *inputs):
        if len(inputs) != 7:
            raise ShapeError(f"{self}: takes 7 inputs (x, {', '.join(WEIGHTS)}), got {len(inputs)}")
        inputs = float_inputs(self, ("x",) + WEIGHTS, inputs, (3, 2, 2, 1, 2, 2, 1))
        return Apply(self, inputs, [output_variable(inputs, inputs[0].dtype, 3)])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        zeros = np.zeros((x.shape[1], inputs[2].shape[0]), x.dtype)
        halves = [sequence_reference(x, W, U, b, zeros, zeros, reverse, x.dtype)[0]
                  for W, U, b, reverse in _directions(inputs)]
        output_storage[0][0] = np.concatenate(halves, axis=2)

    def perform_host(self, node, inputs, output_storage):
        from warpbench.hostcode import lstm
        output_storage[0][0] = lstm.bilstm_forward(inputs[0], inputs[1:4], inputs[4:7])

    def infer_shape(self, node, input_shapes):
        T, B, I, H = sequence_extents(self, dict(zip(("x",) + WEIGHTS, input_shapes)))
        return [(T, B, 2 * H)]

    def device_kernel(self, node):
        return f"bilstm_forward_{self.step}" if node.inputs[0].dtype == "float32" else None

    def perform_device(self, node, kernel, inputs, output_storage):
        x, U = inputs[0], inputs[2]
        (T, B, I), H = x.shape, U.shape[0]
        out = kernel.device.empty((T, B, 2 * H), "float32")
        kernel.launch_problem(problem(T, B, I, H), {"x": x, **dict(zip(WEIGHTS, inputs[1:])), "out": out})
        output_storage[0][0] = out

    def grad(self, inputs, output_grads):
        out = self.make_node(*inputs).outputs[0]
        return list(BiLSTMGrad()(*inputs, out, output_grads[0]))


class BiLSTMGrad(Op):
    """The gradients (dx, then dW, dU, db of each direction) of :class:`BiLSTM` given its output
    and the gradient reaching it."""

    __props__ = ()

    def make_node(self, *inputs):
        if len(inputs) != 9:
            raise ShapeError(f"{self}: takes 9 inputs (x, {', '.join(WEIGHTS)}, hs, dhs), got {len(inputs)}")
        inputs = float_inputs(self, ("x",) + WEIGHTS + ("hs", "dhs"), inputs, (3, 2, 2, 1, 2, 2, 1, 3, 3))
        return Apply(self, inputs, [output_variable(inputs, v.dtype, v.ndim) for v in inputs[:7]])

    def perform(self, node, inputs, output_storage):
        x, out, d_out = inputs[0], inputs[7], inputs[8]
        H = inputs[2].shape[0]
        zeros = np.zeros((x.shape[1], H), x.dtype)
        dx = np.zeros(x.shape, x.dtype)
        grads = []
        for k, (W, U, b, reverse) in enumerate(_directions(inputs)):
            half = slice(k * H, (k + 1) * H)
            found = backward_reference(x, W, U, b, zeros, zeros, out[:, :, half], d_out[:, :, half], zeros, reverse)
            dx += found[0]
            grads += found[1:4]
        for cell, value, var in zip(output_storage, [dx] + grads, node.outputs):
            cell[0] = np.asarray(value, var.dtype)

    def infer_shape(self, node, input_shapes):
        sequence_extents(self, dict(zip(("x",) + WEIGHTS + ("hs", "dhs"), input_shapes)), directions=2)
        return [tuple(s) for s in input_shapes[:7]]

    def device_kernel(self, node):
        return "bilstm_backward" if node.inputs[0].dtype == "float32" else None

    def perform_device(self, node, kernel, inputs, output_storage):
        device = kernel.device
        x, U = inputs[0], inputs[2]
        (T, B, I), H = x.shape, U.shape[0]
        outputs = {n: device.empty(v.shape, "float32") for n, v in zip(("dx",) + tuple("d" + w for w in WEIGHTS),
                                                                      inputs[:7])}
        buffers = {"x": x, **dict(zip(WEIGHTS, inputs[1:7])), "out": inputs[7], "dout": inputs[8]}
        kernel.launch_problem(problem(T, B, I, H), {**buffers, **outputs})
        for cell, value in zip(output_storage, outputs.values()):
            cell[0] = value


def bilstm(x, W_f, U_f, b_f, W_b, U_b, b_b, step: str = "fused"):
    """A bidirectional LSTM layer over ``x`` (T, B, I) as one fused node: (T, B, 2H), the forward
    direction's hidden states then the backward direction's (zero initial states)."""
    return BiLSTM(step)(x, W_f, U_f, b_f, W_b, U_b, b_b)
