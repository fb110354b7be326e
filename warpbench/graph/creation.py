"""New arrays from shapes and ranges, with Theano's names: ``alloc``, ``zeros``, ``ones``,
``zeros_like``, ``ones_like``, ``arange``.

Extents and range bounds are int scalar inputs (numbers or symbolic, such as ``x.shape[0]``),
so one op serves every value. ``zeros_like``/``ones_like`` are ``fill`` of the model, which
reads only the model's shape.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph.basic import Apply, Constant, Variable, as_variable, constant
from warpbench.graph.config import float_x
from warpbench.graph.op import Op, output_variable
from warpbench.graph.reduction import fill, sum_to


def _int_scalar(what: str, value) -> Variable:
    var = constant(value, "int64") if isinstance(value, (int, np.integer)) else as_variable(value)
    if var.ndim != 0 or var.dtype[:3] not in ("int", "uin"):
        raise DTypeError(f"{what}: an extent must be an integer or an integer scalar variable, got {var}")
    return var


class Alloc(Op):
    """``value`` broadcast to the shape given by the int scalar inputs (Theano's ``Alloc``)."""

    __props__ = ()

    def make_node(self, value, *extents):
        value = as_variable(value)
        extents = [_int_scalar(str(self), e) for e in extents]
        if value.ndim > len(extents):
            raise ShapeError(f"{self}: the value {value} has {value.ndim} dimensions, more than the "
                             f"{len(extents)} extent(s) given")
        return Apply(self, [value, *extents], [output_variable([value], value.dtype, len(extents))])

    def perform(self, node, inputs, output_storage):
        value, *extents = inputs
        shape = tuple(int(e) for e in extents)
        if any(n < 0 for n in shape):
            raise ShapeError(f"{self}: negative extent in {shape}")
        output_storage[0][0] = np.array(np.broadcast_to(value, shape), copy=True, order="C")

    def infer_shape(self, node, input_shapes):
        extents = node.inputs[1:]
        return [tuple(int(e.data) for e in extents)] if all(isinstance(e, Constant) for e in extents) else None

    def grad(self, inputs, output_grads):
        value, *extents = inputs
        return [sum_to(output_grads[0], value)] + [None] * len(extents)


alloc = Alloc()


def _shape_entries(shape) -> list:
    if isinstance(shape, Variable) and hasattr(shape, "source"):  # another variable's .shape
        return list(shape)
    if isinstance(shape, (int, np.integer, Variable)):
        return [shape]
    return list(shape)


def zeros(shape, dtype=None) -> Variable:
    """An array of zeros of ``shape`` (ints or int scalar variables) and ``dtype`` (default floatX)."""
    return alloc(np.zeros((), dtype or float_x()), *_shape_entries(shape))


def ones(shape, dtype=None) -> Variable:
    """An array of ones of ``shape`` and ``dtype`` (default floatX)."""
    return alloc(np.ones((), dtype or float_x()), *_shape_entries(shape))


def zeros_like(x, dtype=None) -> Variable:
    """Zeros of x's shape and dtype (or ``dtype``); x's values are never computed."""
    x = as_variable(x)
    return fill(x, np.zeros((), dtype or x.dtype))


def ones_like(x, dtype=None) -> Variable:
    """Ones of x's shape and dtype (or ``dtype``); x's values are never computed."""
    x = as_variable(x)
    return fill(x, np.ones((), dtype or x.dtype))


class ARange(Op):
    """``np.arange(start, stop, step)`` in ``dtype`` from three scalar inputs."""

    __props__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype).name

    def make_node(self, start, stop, step):
        inputs = [as_variable(v) for v in (start, stop, step)]
        for v in inputs:
            if v.ndim != 0:
                raise ShapeError(f"{self}: start, stop and step must be scalars, got {v} of type {v.type}")
        return Apply(self, inputs, [output_variable(inputs, self.dtype, 1)])

    def _values(self, start, stop, step):
        if step == 0:
            raise ShapeError(f"{self}: step cannot be 0")
        return np.arange(start, stop, step, dtype=self.dtype)

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = self._values(*(v.item() for v in inputs))

    def infer_shape(self, node, input_shapes):
        if not all(isinstance(v, Constant) for v in node.inputs):
            return None
        return [self._values(*(v.data.item() for v in node.inputs)).shape]

    def grad(self, inputs, output_grads):
        return [None, None, None]


def arange(start, stop=None, step=1, dtype=None) -> Variable:
    """Theano's ``arange``: ``arange(stop)`` or ``arange(start, stop, step)``; the dtype defaults
    to int64 for integer bounds and floatX for float ones."""
    if stop is None:
        start, stop = 0, start
    bounds = [v if isinstance(v, Variable) else constant(v, "int64" if isinstance(v, (int, np.integer))
                                                         else float_x()) for v in (start, stop, step)]
    if dtype is None:
        dtype = np.result_type(*(np.dtype(b.dtype) for b in bounds)).name
    return ARange(dtype)(*bounds)

