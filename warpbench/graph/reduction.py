"""Broadcasts: the pair that are each other's adjoint, ``Fill`` (broadcast a value up to a
shape) and ``SumTo`` (sum a gradient down to a shape). ``Sum`` and the other reductions
along axes are in reduce_ops.py.

Gradients need the pair: the gradient of a broadcast input is the output gradient summed
over the broadcast axes (``SumTo``), and the gradient of a sum is the output gradient
broadcast back to the input's shape (``Fill``).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op, output_variable
from warpbench.graph.type import broadcast_shape, shape_str


class Fill(Op):
    """``value`` broadcast to the shape of ``model`` (and ``value``): Theano's fill."""

    __props__ = ()
    shape_inputs = (0,)

    def make_node(self, model, value):
        model = as_variable(model)
        value = as_variable(value, like=model)
        return Apply(self, [model, value], [output_variable([model, value], value.dtype, max(model.ndim, value.ndim))])

    def perform(self, node, inputs, output_storage):
        model, value = inputs
        output_storage[0][0] = np.broadcast_to(value, broadcast_shape([model.shape, value.shape])).copy()

    def infer_shape(self, node, input_shapes):
        return [broadcast_shape(input_shapes)]

    def grad(self, inputs, output_grads):
        # Only the value flows into the output; the model gives just its shape.
        return [None, sum_to(output_grads[0], inputs[1])]


class SumTo(Op):
    """``g`` summed over the axes where NumPy broadcast ``like`` to g's shape.

    Used by gradients; its own gradient broadcasts back (``fill``), for second derivatives.
    """

    __props__ = ()
    shape_inputs = (1,)

    def make_node(self, g, like):
        g, like = as_variable(g), as_variable(like)
        return Apply(self, [g, like], [output_variable([g, like], g.dtype, like.ndim)])

    def perform(self, node, inputs, output_storage):
        g, like = inputs
        leading = g.ndim - like.ndim
        total = g.sum(axis=tuple(range(leading))) if leading else g
        kept = tuple(i for i, n in enumerate(like.shape) if n == 1 and total.shape[i] != 1)
        output_storage[0][0] = np.asarray(total.sum(axis=kept, keepdims=True) if kept else total.copy())

    def infer_shape(self, node, input_shapes):
        g, like = input_shapes
        if len(g) < len(like) or broadcast_shape([g, like]) != tuple(g):
            raise ShapeError(f"a gradient of shape {shape_str(g)} cannot come from broadcasting "
                             f"shape {shape_str(like)}")
        return [tuple(like)]

    def grad(self, inputs, output_grads):
        # like broadcasts to g's shape, so the output gradient does too; like gives only a shape.
        return [fill(inputs[0], output_grads[0]), None]


fill, sum_to = Fill(), SumTo()
