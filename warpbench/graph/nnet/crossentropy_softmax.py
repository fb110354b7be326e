"""The cross-entropy of a softmax computed from the logits: Theano's crossentropy_softmax_1hot.

``categorical_crossentropy(softmax(x), y)`` takes ``-log`` of probabilities that underflow to
0 for confident wrong rows (float32: logits 100 apart), so the loss and its gradient become
inf and NaN. When a function is compiled, :func:`fuse_crossentropy_softmax` replaces

- ``CrossentropyCategorical1Hot(Softmax(x), y)`` by ``CrossentropySoftmax1Hot(x, y)``
  (logsumexp(x) - x[y], the library's ``cross_entropy`` kernel and host code), and
- ``SoftmaxGrad(CrossentropyCategorical1HotGrad(g, Softmax(x), y), Softmax(x))``, the
  gradient ``grad`` builds for it, by ``CrossentropySoftmax1HotGrad(g, x, y)``
  (g * (softmax(x) - onehot(y)), kernel ``crossentropy_softmax_bwd``),

which compute the same values where the unfused graph is finite, and finite values elsewhere.
"""
from __future__ import annotations

import numpy as np

from warpbench.graph.basic import Apply
from warpbench.graph.op import Op, output_variable
from warpbench.graph.nnet.softmax import (CrossentropyCategorical1Hot, CrossentropyCategorical1HotGrad, Softmax,
                                          SoftmaxGrad)
from warpbench.kernels.specs.softmax_grad import check_labels, crossentropy_softmax_backward


class CrossentropySoftmax1Hot(Op):
    """(x, y) -> -log_softmax(x)[i, y[i]] per row: x (rows, classes) logits, y integer labels."""

    __props__ = ()

    def make_node(self, x, y):
        return Apply(self, [x, y], [output_variable([x, y], x.dtype, 1)])

    def perform(self, node, inputs, output_storage):
        x, y = inputs
        check_labels(str(self), y, *x.shape)
        shifted = x - x.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=1))
        output_storage[0][0] = (log_norm - shifted[np.arange(x.shape[0]), y]).astype(x.dtype, copy=False)

    def perform_host(self, node, inputs, output_storage):
        from warpbench.hostcode import nnet
        x, y = inputs
        check_labels(str(self), y, *x.shape)
        output_storage[0][0] = nnet.cross_entropy(np.ascontiguousarray(x), y.astype(np.int64, copy=False))

    def infer_shape(self, node, input_shapes):
        return CrossentropyCategorical1Hot.infer_shape(self, node, input_shapes)

    def grad(self, inputs, output_grads):
        x, y = inputs
        return [CrossentropySoftmax1HotGrad()(output_grads[0], x, y), None]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import by_dtype
        return by_dtype("cross_entropy_warp_row", node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_labelled
        x, y = inputs
        output_storage[0][0] = launch_labelled(kernel, [x], y)


class CrossentropySoftmax1HotGrad(Op):
    """(g, x, y) -> g[i] * (softmax(x)[i] - onehot(y[i])): the gradient of CrossentropySoftmax1Hot."""

    __props__ = ()

    def make_node(self, g, x, y):
        return Apply(self, [g, x, y], [x.type()])

    def perform(self, node, inputs, output_storage):
        g, x, y = inputs
        check_labels(str(self), y, *x.shape)
        output_storage[0][0] = crossentropy_softmax_backward(g, x, y)

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[1])]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import by_dtype
        return by_dtype("crossentropy_softmax_bwd_warp_row", node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_labelled
        g, x, y = inputs
        output_storage[0][0] = launch_labelled(kernel, [g, x], y)


def _softmax_input(var):
    """x when ``var`` is softmax(x) of a matrix x, else None."""
    node = var.owner
    if node is None or not isinstance(node.op, Softmax) or node.inputs[0].ndim != 2:
        return None
    return node.inputs[0]


def fuse_crossentropy_softmax(fg) -> int:
    """Rewrite the cross-entropy of a softmax, and its gradient, into the fused ops (see the
    module docstring); returns the number of nodes replaced."""
    def transform(node):
        if isinstance(node.op, CrossentropyCategorical1Hot):
            x = _softmax_input(node.inputs[0])
            return None if x is None else [CrossentropySoftmax1Hot()(x, node.inputs[1])]
        if isinstance(node.op, SoftmaxGrad):
            dy, y = node.inputs
            source = dy.owner
            if source is None or not isinstance(source.op, CrossentropyCategorical1HotGrad):
                return None
            g, probabilities, labels = source.inputs
            x = _softmax_input(y)
            if x is None or probabilities is not y:
                return None
            return [CrossentropySoftmax1HotGrad()(g, x, labels)]
        return None

    return fg.rewrite(transform)
