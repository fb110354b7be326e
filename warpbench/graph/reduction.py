"""Broadcasts: the pair that are each other's adjoint, ``Fill`` (broadcast a value up to a
shape) and ``SumTo`` (sum a gradient down to a shape). ``Sum`` and the other reductions
along axes are in reduce_ops.py.

Gradients need the pair: the gradient of a broadcast input is the output gradient summed
over the broadcast axes (``SumTo``), and the gradient of a sum is the output gradient
broadcast back to the input's shape (``Fill``).

On a kernel device both run there: ``Fill`` is an elementwise op (Theano's ``second``), so
it fuses with its neighbours into one generated kernel; ``SumTo`` of float32/float64 runs
the generated axis-reduce kernel (warpbench.kernels.axis_reduce) over the axes it learns
from the shapes when it runs.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.elemwise import Elemwise
from warpbench.graph.op import Op, output_variable
from warpbench.graph.type import FLOAT_DTYPES, broadcast_shape, shape_str


class Fill(Elemwise):
    """``value`` broadcast to the shape of ``model`` (and ``value``): Theano's fill."""

    shape_inputs = (0,)

    @staticmethod
    def impl(model, value):
        """value at every element of the broadcast shape of model and value."""
        value = np.asarray(value)
        return np.broadcast_to(value, np.broadcast_shapes(np.shape(model), value.shape)).copy()

    def make_node(self, model, value):
        model = as_variable(model)
        return super().make_node(model, as_variable(value, like=model))

    def c_expression(self, operands, ctype):
        return operands[1]

    def grad(self, inputs, output_grads):
        # Only the value flows into the output; the model gives just its shape.
        return [None, sum_to(output_grads[0], inputs[1])]


def summed_axes(g_shape, like_shape) -> tuple[int, ...]:
    """The axes of a gradient of ``g_shape`` that SumTo sums to reach ``like_shape``: the
    leading ones like lacks and those where like has extent 1 and g not."""
    leading = len(g_shape) - len(like_shape)
    return tuple(range(leading)) + tuple(leading + i for i, n in enumerate(like_shape)
                                         if n == 1 and g_shape[leading + i] != 1)


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
        total = g.sum(axis=summed_axes(g.shape, like.shape), keepdims=True)
        output_storage[0][0] = np.array(total.reshape(like.shape), dtype=g.dtype)

    def infer_shape(self, node, input_shapes):
        g, like = input_shapes
        if len(g) < len(like) or broadcast_shape([g, like]) != tuple(g):
            raise ShapeError(f"a gradient of shape {shape_str(g)} cannot come from broadcasting "
                             f"shape {shape_str(like)}")
        return [tuple(like)]

    def grad(self, inputs, output_grads):
        # like broadcasts to g's shape, so the output gradient does too; like gives only a shape.
        return [fill(inputs[0], output_grads[0]), None]

    def device_kernel(self, node):
        g = node.inputs[0]
        if g.dtype not in FLOAT_DTYPES:
            return None
        from warpbench.kernels.axis_reduce import axis_reduce_spec
        # The summed axes are known only when it runs: as many groups as g's axes can form.
        groups = max(1, (g.ndim + 1) // 2)
        return axis_reduce_spec("sum", g.dtype, groups, groups)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.kernels.axis_reduce import launch_axis_reduce
        g, like = inputs
        shape = self.infer_shape(node, [tuple(g.shape), tuple(like.shape)])[0]
        output_storage[0][0] = launch_axis_reduce(kernel, "sum", g, summed_axes(g.shape, like.shape), shape)


fill, sum_to = Fill(), SumTo()
