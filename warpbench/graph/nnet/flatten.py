"""``flatten(x, ndim)``: Theano's flatten, keeping the first ndim - 1 axes and joining the rest.

A minimal op for the networks of this package (a conv stack's output into a dense layer);
on a kernel device it is the registry's copy kernel into the new shape.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op, output_variable


class Flatten(Op):
    """x -> x reshaped to ``ndim`` axes, the last one holding all trailing axes of x."""

    __props__ = ("ndim",)

    def __init__(self, ndim: int = 2):
        if ndim < 1:
            raise ShapeError(f"flatten: ndim must be at least 1, got {ndim}")
        self.ndim = int(ndim)

    def make_node(self, x):
        x = as_variable(x)
        if x.ndim < self.ndim:
            raise ShapeError(f"{self}: cannot flatten {x} of type {x.type} to {self.ndim} axes")
        return Apply(self, [x], [output_variable([x], x.dtype, self.ndim)])

    def out_shape(self, shape) -> tuple:
        """The flattened shape of an input of ``shape``."""
        kept = tuple(shape[: self.ndim - 1])
        return kept + (int(np.prod(shape[self.ndim - 1:], dtype=np.int64)),)

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        output_storage[0][0] = np.ascontiguousarray(x).reshape(self.out_shape(x.shape)).copy()

    def infer_shape(self, node, input_shapes):
        return [self.out_shape(input_shapes[0])]

    def grad(self, inputs, output_grads):
        return [Unflatten()(output_grads[0], inputs[0])]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import copy_kernel
        return copy_kernel(node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_copy
        output_storage[0][0] = launch_copy(kernel, inputs[0], self.out_shape(inputs[0].shape))


class Unflatten(Op):
    """(g, like) -> g reshaped to like's shape: Flatten's gradient (like gives only its shape)."""

    __props__ = ()
    shape_inputs = (1,)

    def make_node(self, g, like):
        g, like = as_variable(g), as_variable(like)
        return Apply(self, [g, like], [output_variable([g, like], g.dtype, like.ndim)])

    def perform(self, node, inputs, output_storage):
        g, like = inputs
        output_storage[0][0] = np.ascontiguousarray(g).reshape(like.shape).copy()

    def infer_shape(self, node, input_shapes):
        g, like = input_shapes
        if np.prod(g, dtype=np.int64) != np.prod(like, dtype=np.int64):
            raise ShapeError(f"cannot reshape {tuple(g)} to {tuple(like)}")
        return [tuple(like)]

    def grad(self, inputs, output_grads):
        return [Unflatten()(output_grads[0], inputs[0]), None]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import copy_kernel
        return copy_kernel(node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_copy
        output_storage[0][0] = launch_copy(kernel, inputs[0], inputs[1].shape)


def flatten(x, ndim: int = 2):
    """Theano's ``flatten(x, ndim)``: keep the first ``ndim - 1`` axes, join the others."""
    return Flatten(ndim)(x)
