"""The fused LSTM layer: ``lstm(x, W, U, b, h0, c0) -> (hs, c_T)`` as one node.

Gate order i, f, g, o: x (T, B, I), W (I, 4H), U (H, 4H), b (4H,), h0 and c0 (B, H) (zeros
when omitted). Forward: the host code's sequence (cpu), the registry's ``lstm_forward_*``
pipelines (cuda, emu, float32). Backward: :class:`LSTMGrad`, the ``lstm_backward`` pipeline
on a kernel device and its NumPy reference elsewhere.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError, UnknownNameError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op, output_variable
from warpbench.graph.reduction import fill
from warpbench.graph.type import FLOAT_DTYPES, shape_str
from warpbench.kernels.specs.lstm.reference import backward_reference, sequence_reference

#: How the forward pipelines compute a step: "fused" (lstm_step) or "gemm" (GEMM + lstm_cell).
STEP_KINDS = ("fused", "gemm")


def float_inputs(op, names, values, ndims):
    """``values`` as variables of one float dtype with the given ranks, or an error naming ``op``."""
    variables = [as_variable(v) for v in values]
    for name, var, ndim in zip(names, variables, ndims):
        if var.ndim != ndim:
            raise ShapeError(f"{op}: {name} must be {ndim}-D, got {var} of type {var.type}")
    dtypes = {var.dtype for var in variables}
    if len(dtypes) != 1 or not dtypes <= set(FLOAT_DTYPES):
        shown = ", ".join(f"{n} {v.dtype}" for n, v in zip(names, variables))
        raise DTypeError(f"{op}: inputs must share one float dtype (float32 or float64), got {shown}")
    return variables


def sequence_extents(op, shapes: dict, directions: int = 1) -> tuple[int, int, int, int]:
    """(T, B, I, H) from the shapes of x and U (of each direction suffix), checking the rest."""
    T, B, I = shapes["x"]
    H = shapes[next(n for n in shapes if n.startswith("U"))][0]
    expected = {"x": (T, B, I)}
    for name in shapes:
        kind = name[:-2] if name.endswith(("_f", "_b")) else name  # a direction's weights
        want = {"W": (I, 4 * H), "U": (H, 4 * H), "b": (4 * H,), "h0": (B, H), "c0": (B, H), "dc_T": (B, H),
                "hs": (T, B, directions * H), "dhs": (T, B, directions * H)}.get(kind, expected.get(kind))
        if tuple(shapes[name]) != tuple(want):
            raise ShapeError(f"{op}: {name} is {shape_str(shapes[name])}, expected {shape_str(want)} "
                             f"(input size {I}, hidden size {H} from U's rows, batch {B})")
    return T, B, I, H


def problem(T, B, I, H) -> dict:
    """The registry problem of a sequence pipeline."""
    return {"T": T, "B": B, "I": I, "H": H, "dtype": "float32"}


class LSTM(Op):
    """One LSTM direction over a sequence: outputs hs (T, B, H) and c_T (B, H).

    ``initial_state``: whether h0 and c0 are inputs (else zeros); ``step``: the forward
    pipeline's step kind on a kernel device.
    """

    __props__ = ("initial_state", "step")
    NAMES = ("x", "W", "U", "b", "h0", "c0")

    def __init__(self, initial_state: bool = True, step: str = "fused"):
        if step not in STEP_KINDS:
            raise UnknownNameError(f"LSTM: step must be one of {', '.join(STEP_KINDS)}, got {step!r}")
        self.initial_state, self.step = bool(initial_state), step

    def names(self) -> tuple[str, ...]:
        """The names of this op's inputs."""
        return self.NAMES if self.initial_state else self.NAMES[:4]

    def make_node(self, *inputs):
        names = self.names()
        if len(inputs) != len(names):
            raise ShapeError(f"{self}: takes {len(names)} inputs ({', '.join(names)}), got {len(inputs)}")
        inputs = float_inputs(self, names, inputs, (3, 2, 2, 1, 2, 2))
        dtype = inputs[0].dtype
        return Apply(self, inputs, [output_variable(inputs, dtype, 3), output_variable(inputs, dtype, 2)])

    def states(self, inputs, zeros):
        """(h0, c0): the inputs, or ``zeros((B, H), dtype)`` twice."""
        if self.initial_state:
            return inputs[4], inputs[5]
        x, U = inputs[0], inputs[2]
        return zeros((x.shape[1], U.shape[0]), x.dtype), zeros((x.shape[1], U.shape[0]), x.dtype)

    def perform(self, node, inputs, output_storage):
        hs, c_T = sequence_reference(*inputs[:4], *self.states(inputs, np.zeros), dtype=inputs[0].dtype)
        output_storage[0][0], output_storage[1][0] = hs, c_T

    def perform_host(self, node, inputs, output_storage):
        from warpbench.hostcode import lstm
        hs, _, c_T = lstm.lstm_forward(*inputs[:4], *self.states(inputs, np.zeros))
        output_storage[0][0], output_storage[1][0] = hs, c_T

    def infer_shape(self, node, input_shapes):
        T, B, I, H = sequence_extents(self, dict(zip(self.names(), input_shapes)))
        return [(T, B, H), (B, H)]

    def device_kernel(self, node):
        return f"lstm_forward_{self.step}" if node.inputs[0].dtype == "float32" else None

    def perform_device(self, node, kernel, inputs, output_storage):
        device = kernel.device
        x, W, U, b = inputs[:4]
        h0, c0 = self.states(inputs, device.zeros)
        (T, B, I), H = x.shape, U.shape[0]
        hs, c_T = device.empty((T, B, H), "float32"), device.empty((B, H), "float32")
        kernel.launch_problem(problem(T, B, I, H), {"x": x, "W": W, "U": U, "b": b, "h0": h0, "c0": c0,
                                                    "hs": hs, "c_T": c_T})
        output_storage[0][0], output_storage[1][0] = hs, c_T

    def grad(self, inputs, output_grads):
        hs, c_T = self.make_node(*inputs).outputs
        dhs, dc_T = (g if g is not None else fill(out, 0) for out, g in zip((hs, c_T), output_grads))
        grads = LSTMGrad(self.initial_state)(*inputs, hs, dhs, dc_T)
        return list(grads)


class LSTMGrad(Op):
    """The gradients (dx, dW, dU, db[, dh0, dc0]) of :class:`LSTM` given its outputs hs and the
    gradients dhs and dc_T reaching them (one pass backward through time)."""

    __props__ = ("initial_state",)

    def __init__(self, initial_state: bool = True):
        self.initial_state = bool(initial_state)

    def forward(self) -> LSTM:
        """The forward op these are the gradients of."""
        return LSTM(self.initial_state)

    def make_node(self, *inputs):
        names = self.forward().names() + ("hs", "dhs", "dc_T")
        if len(inputs) != len(names):
            raise ShapeError(f"{self}: takes {len(names)} inputs ({', '.join(names)}), got {len(inputs)}")
        inputs = float_inputs(self, names, inputs, (3, 2, 2, 1, 2, 2)[:len(names) - 3] + (3, 3, 2))
        return Apply(self, inputs, [output_variable(inputs, v.dtype, v.ndim) for v in inputs[:len(names) - 3]])

    def _split(self, inputs, zeros):
        forward = self.forward()
        n = len(forward.names())
        return list(inputs[:4]) + list(forward.states(inputs, zeros)) + list(inputs[n:])

    def perform(self, node, inputs, output_storage):
        found = backward_reference(*self._split(inputs, np.zeros))
        for cell, value, var in zip(output_storage, found, node.outputs):
            cell[0] = value.astype(var.dtype)

    def infer_shape(self, node, input_shapes):
        names = self.forward().names() + ("hs", "dhs", "dc_T")
        sequence_extents(self, dict(zip(names, input_shapes)))
        return [tuple(s) for s in input_shapes[:len(names) - 3]]

    def device_kernel(self, node):
        return "lstm_backward" if node.inputs[0].dtype == "float32" else None

    def perform_device(self, node, kernel, inputs, output_storage):
        device = kernel.device
        x, W, U, b, h0, c0, hs, dhs, dc_T = self._split(inputs, device.zeros)
        (T, B, I), H = x.shape, U.shape[0]
        buffers = dict(zip(LSTM.NAMES + ("hs", "dhs", "dc_T"), (x, W, U, b, h0, c0, hs, dhs, dc_T)))
        outputs = {n: device.empty(v.shape, "float32") for n, v in zip(("dx", "dW", "dU", "db", "dh0", "dc0"),
                                                                      (x, W, U, b, h0, c0))}
        kernel.launch_problem(problem(T, B, I, H), {**buffers, **outputs})
        for cell, value in zip(output_storage, outputs.values()):
            cell[0] = value


def lstm(x, W, U, b, h0=None, c0=None, step: str = "fused"):
    """An LSTM layer over ``x`` (T, B, I) as one fused node; returns ``(hs, c_T)``: the hidden
    states (T, B, H) and the last cell state (B, H). h0 and c0 (B, H) default to zeros (give
    both or neither); gate order i, f, g, o along the 4H columns of W, U and b."""
    if (h0 is None) != (c0 is None):
        raise ShapeError("lstm: give both h0 and c0, or neither (zero initial state)")
    if h0 is None:
        return LSTM(False, step)(x, W, U, b)
    return LSTM(True, step)(x, W, U, b, h0, c0)
