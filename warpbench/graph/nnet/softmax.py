"""``softmax`` and ``log_softmax`` over the last axis, ``categorical_crossentropy``, and their gradients.

``categorical_crossentropy(coding_dist, true_dist)`` is Theano's: ``-sum(true_dist *
log(coding_dist))`` per row, where ``true_dist`` is either a vector of integer class
indices (``CrossentropyCategorical1Hot``, with kernels) or a one-hot / soft-target matrix
of coding_dist's shape (``CategoricalCrossentropy``, NumPy).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op, output_variable
from warpbench.graph.type import FLOAT_DTYPES, shape_str
from warpbench.kernels.specs.softmax_grad import check_labels, crossentropy_backward, softmax_backward


def _float(op, name: str, value, ndim: int | None = None):
    var = as_variable(value)
    if var.dtype not in FLOAT_DTYPES:
        raise DTypeError(f"{op}: {name} must be float32 or float64, got {var} of type {var.type}")
    if ndim is not None and var.ndim != ndim:
        raise ShapeError(f"{op}: {name} must be {ndim}-D, got {var} of type {var.type}")
    if var.ndim < 1:
        raise ShapeError(f"{op}: {name} must have at least one axis, got {var} of type {var.type}")
    return var


def _rows(x: np.ndarray) -> np.ndarray:
    """x as a (rows, last axis) matrix view."""
    return x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class RowOp(Op):
    """An op of one float tensor computed row by row over its last axis, keeping its shape."""

    __props__ = ()
    #: The registry kernel family (``<KERNEL>`` for float32, ``<KERNEL>_f64``), on a kernel device.
    KERNEL = ""

    def make_node(self, *inputs):
        variables = [_float(self, f"input {i}", v) for i, v in enumerate(inputs)]
        if len({(v.dtype, v.ndim) for v in variables}) > 1:
            shown = ", ".join(str(v.type) for v in variables)
            raise DTypeError(f"{self}: inputs must share dtype and ndim, got {shown}")
        return Apply(self, variables, [variables[0].type()])

    def infer_shape(self, node, input_shapes):
        if len({tuple(s) for s in input_shapes}) > 1:
            raise ShapeError(f"input shapes differ: {', '.join(shape_str(s) for s in input_shapes)}")
        return [tuple(input_shapes[0])]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import by_dtype
        return by_dtype(self.KERNEL, node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_rows
        output_storage[0][0] = launch_rows(kernel, inputs)


class Softmax(RowOp):
    """exp(x) / sum(exp(x)) over the last axis (stable: the row maximum is subtracted)."""

    KERNEL = "softmax_block_row"

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.exp(_log_softmax(inputs[0])).astype(inputs[0].dtype, copy=False)

    def perform_host(self, node, inputs, output_storage):
        from warpbench.hostcode import nnet
        x = inputs[0]
        output_storage[0][0] = nnet.softmax(np.ascontiguousarray(_rows(x))).reshape(x.shape)

    def grad(self, inputs, output_grads):
        return [softmax_grad(output_grads[0], self(inputs[0]))]


class LogSoftmax(RowOp):
    """x - log(sum(exp(x))) over the last axis (stable)."""

    KERNEL = "log_softmax_block_row"

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = _log_softmax(inputs[0]).astype(inputs[0].dtype, copy=False)

    def perform_host(self, node, inputs, output_storage):
        from warpbench.hostcode import nnet
        x = inputs[0]
        output_storage[0][0] = nnet.log_softmax(np.ascontiguousarray(_rows(x))).reshape(x.shape)

    def grad(self, inputs, output_grads):
        return [log_softmax_grad(output_grads[0], self(inputs[0]))]


class SoftmaxGrad(RowOp):
    """(dy, y) -> (dy - sum(dy * y)) * y per row: the gradient of y = softmax(x)."""

    KERNEL = "softmax_bwd_warp_row"

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = softmax_backward(*inputs, log=False)


class LogSoftmaxGrad(RowOp):
    """(dy, y) -> dy - exp(y) * sum(dy) per row: the gradient of y = log_softmax(x)."""

    KERNEL = "log_softmax_bwd_warp_row"

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = softmax_backward(*inputs, log=True)


def _labels(op, value):
    var = as_variable(value)
    if var.ndim != 1 or np.dtype(var.dtype).kind not in "iu":
        raise DTypeError(f"{op}: targets must be a vector of integer class indices (or a one-hot matrix), "
                         f"got {var} of type {var.type}")
    return var


class CrossentropyCategorical1Hot(Op):
    """(p, y) -> -log(p[i, y[i]]) per row: p (rows, classes) probabilities, y integer labels."""

    __props__ = ()

    def make_node(self, p, y):
        p, y = _float(self, "coding_dist", p, 2), _labels(self, y)
        return Apply(self, [p, y], [output_variable([p, y], p.dtype, 1)])

    def perform(self, node, inputs, output_storage):
        p, y = inputs
        check_labels(str(self), y, *p.shape)
        output_storage[0][0] = -np.log(p[np.arange(p.shape[0]), y])

    def infer_shape(self, node, input_shapes):
        p, y = input_shapes
        if tuple(y) != (p[0],):
            raise ShapeError(f"{p[0]} rows of probabilities but {shape_str(y)} targets")
        return [(p[0],)]

    def grad(self, inputs, output_grads):
        p, y = inputs
        return [CrossentropyCategorical1HotGrad()(output_grads[0], p, y), None]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import by_dtype
        return by_dtype("crossentropy_1hot", node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_labelled
        p, y = inputs
        output_storage[0][0] = launch_labelled(kernel, [p], y)


class CrossentropyCategorical1HotGrad(Op):
    """(g, p, y) -> dp: -g[i] / p[i, y[i]] at (i, y[i]), zero elsewhere."""

    __props__ = ()

    def make_node(self, g, p, y):
        g, p, y = _float(self, "g", g, 1), _float(self, "coding_dist", p, 2), _labels(self, y)
        return Apply(self, [g, p, y], [p.type()])

    def perform(self, node, inputs, output_storage):
        g, p, y = inputs
        check_labels(str(self), y, *p.shape)
        output_storage[0][0] = crossentropy_backward(g, p, y)

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[1])]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import by_dtype
        return by_dtype("crossentropy_1hot_bwd", node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_labelled
        g, p, y = inputs
        output_storage[0][0] = launch_labelled(kernel, [g, p], y)


class CategoricalCrossentropy(Op):
    """(p, t) -> -sum(t * log(p)) per row, for a target matrix t of p's shape (one-hot or soft)."""

    __props__ = ()

    def make_node(self, p, t):
        p, t = _float(self, "coding_dist", p, 2), _float(self, "true_dist", t, 2)
        return Apply(self, [p, t], [output_variable([p, t], np.result_type(p.dtype, t.dtype), 1)])

    def perform(self, node, inputs, output_storage):
        p, t = inputs
        output_storage[0][0] = -(t * np.log(p)).sum(axis=1).astype(node.outputs[0].dtype, copy=False)

    def infer_shape(self, node, input_shapes):
        p, t = input_shapes
        if tuple(p) != tuple(t):
            raise ShapeError(f"coding_dist is {shape_str(p)} but true_dist is {shape_str(t)}")
        return [(p[0],)]

    def grad(self, inputs, output_grads):
        return CategoricalCrossentropyGrad()(output_grads[0], *inputs)


class CategoricalCrossentropyGrad(Op):
    """(g, p, t) -> (dp, dt) = (-g * t / p, -g * log(p)), g broadcast along rows."""

    __props__ = ()

    def make_node(self, g, p, t):
        g, p, t = _float(self, "g", g, 1), _float(self, "coding_dist", p, 2), _float(self, "true_dist", t, 2)
        return Apply(self, [g, p, t], [p.type(), t.type()])

    def perform(self, node, inputs, output_storage):
        g, p, t = inputs
        g = g[:, None]
        output_storage[0][0] = (-g * t / p).astype(p.dtype, copy=False)
        output_storage[1][0] = (-g * np.log(p)).astype(t.dtype, copy=False)

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[1]), tuple(input_shapes[2])]


softmax, log_softmax = Softmax(), LogSoftmax()
softmax_grad, log_softmax_grad = SoftmaxGrad(), LogSoftmaxGrad()


def categorical_crossentropy(coding_dist, true_dist):
    """Theano's ``categorical_crossentropy``: per-row ``-sum(true_dist * log(coding_dist))``;
    ``true_dist`` a vector of integer class indices or a matrix of coding_dist's shape."""
    target = as_variable(true_dist)
    if target.ndim == 2:
        return CategoricalCrossentropy()(coding_dist, target)
    return CrossentropyCategorical1Hot()(coding_dist, target)
