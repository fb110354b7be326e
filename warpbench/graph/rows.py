"""Row ops along axis 0, what scan needs to shift, reverse and pad its sequences.

``Rows(start, stop)`` is ``x[start:stop]`` (``x[start]`` with ``squeeze``), ``PutRows``
its adjoint (zeros shaped like ``x`` with ``g`` written at those rows), ``Reverse`` is
``x[::-1]``. Scan's histories hold the initial state in row 0 (Theano's layout), so the
user sees ``Rows(1)`` of them, and backpropagation through time reads them shifted.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op, output_variable
from warpbench.graph.type import shape_str


def _at_least_1d(op, x):
    x = as_variable(x)
    if x.ndim < 1:
        raise ShapeError(f"{op}: needs an array with a leading axis, got {x} of type {x.type}")
    return x


class Rows(Op):
    """``x[start:stop]`` along axis 0, or ``x[start]`` when ``squeeze`` (stop is then ignored)."""

    __props__ = ("start", "stop", "squeeze")

    def __init__(self, start: int, stop: int | None = None, squeeze: bool = False):
        self.start, self.stop, self.squeeze = int(start), stop, bool(squeeze)

    def _index(self, length: int):
        if self.squeeze:
            if not -length <= self.start < length:
                raise ShapeError(f"{self}: row {self.start} is outside {length} row(s)")
            return self.start
        return slice(self.start, self.stop)

    def make_node(self, x):
        x = _at_least_1d(self, x)
        return Apply(self, [x], [output_variable([x], x.dtype, x.ndim - self.squeeze)])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        output_storage[0][0] = np.array(x[self._index(x.shape[0])])

    def infer_shape(self, node, input_shapes):
        (shape,) = input_shapes
        index = self._index(shape[0])
        if self.squeeze:
            return [tuple(shape[1:])]
        return [(len(range(shape[0])[index]),) + tuple(shape[1:])]

    def grad(self, inputs, output_grads):
        return [PutRows(self.start, self.squeeze)(inputs[0], output_grads[0])]


class PutRows(Op):
    """Zeros shaped like ``x`` with ``g`` at rows ``start:start + len(g)`` (at row ``start``
    when ``squeeze``): the gradient of :class:`Rows`. ``x`` gives only its shape."""

    __props__ = ("start", "squeeze")
    shape_inputs = (0,)

    def __init__(self, start: int, squeeze: bool = False):
        self.start, self.squeeze = int(start), bool(squeeze)

    def make_node(self, x, g):
        x, g = _at_least_1d(self, x), as_variable(g)
        if g.ndim != x.ndim - self.squeeze:
            raise ShapeError(f"{self}: g {g} has {g.ndim} dimension(s), expected {x.ndim - self.squeeze}")
        return Apply(self, [x, g], [output_variable([x, g], g.dtype, x.ndim)])

    def _index(self, x_shape, g_shape):
        if self.squeeze:
            index = self.start
            fits = -x_shape[0] <= index < x_shape[0] and tuple(g_shape) == tuple(x_shape[1:])
        else:
            start = self.start % x_shape[0] if x_shape[0] else 0
            index = slice(start, start + g_shape[0])
            fits = start + g_shape[0] <= x_shape[0] and tuple(g_shape[1:]) == tuple(x_shape[1:])
        if not fits:
            raise ShapeError(f"{self}: cannot put a {shape_str(g_shape)} gradient at row {self.start} "
                             f"of a {shape_str(x_shape)} array")
        return index

    def perform(self, node, inputs, output_storage):
        x, g = inputs
        out = np.zeros(x.shape, node.outputs[0].dtype)
        out[self._index(x.shape, g.shape)] = g
        output_storage[0][0] = out

    def infer_shape(self, node, input_shapes):
        self._index(*input_shapes)
        return [tuple(input_shapes[0])]

    def grad(self, inputs, output_grads):
        if self.squeeze:
            return [None, Rows(self.start, squeeze=True)(output_grads[0])]
        return [None, RowsLike(self.start)(output_grads[0], inputs[1])]


class RowsLike(Op):
    """``x[start:start + len(like)]``: the gradient of a non-squeezed :class:`PutRows`."""

    __props__ = ("start",)
    shape_inputs = (1,)

    def __init__(self, start: int):
        self.start = int(start)

    def make_node(self, x, like):
        x, like = _at_least_1d(self, x), as_variable(like)
        return Apply(self, [x, like], [output_variable([x, like], x.dtype, x.ndim)])

    def perform(self, node, inputs, output_storage):
        x, like = inputs
        output_storage[0][0] = np.array(x[PutRows(self.start)._index(x.shape, like.shape)])

    def infer_shape(self, node, input_shapes):
        x, like = input_shapes
        PutRows(self.start)._index(x, like)
        return [tuple(like)]

    def grad(self, inputs, output_grads):
        return [PutRows(self.start)(inputs[0], output_grads[0]), None]


class Reverse(Op):
    """``x[::-1]``: x with its rows in reverse order."""

    __props__ = ()

    def make_node(self, x):
        x = _at_least_1d(self, x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0][::-1].copy()

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[0])]

    def grad(self, inputs, output_grads):
        return [reverse(output_grads[0])]


reverse = Reverse()
