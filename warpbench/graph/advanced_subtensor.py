"""``x[a, b]``: NumPy's integer-array indexing over the leading axes, and its adjoint.

The idiom of the Deep Learning tutorials and of the book, ``log(p)[arange(y.shape[0]), y]``
(each row's probability of its label), is this op. The index arrays (integer vectors, or
integer scalars broadcast against them) pick along the first ``k`` axes together; the
result has the broadcast shape of the arrays followed by the remaining axes, as in NumPy.
The gradient adds the output gradient at the picked positions of zeros (``np.add.at``:
positions picked twice add up). It runs on the host; ``x[ids]`` with one vector has the
device kernels (:class:`~warpbench.graph.subtensor.AdvancedSubtensor1`).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.graph.basic import Apply, Variable, as_variable
from warpbench.graph.op import Op, output_variable
from warpbench.graph.reduction import fill, sum_to
from warpbench.graph.type import shape_str


def index_arrays(what: str, x: Variable, entries) -> list[Variable]:
    """The integer index variables of ``entries``, checked against ``x``."""
    arrays = [as_variable(np.asarray(e) if isinstance(e, (list, np.ndarray, int, np.integer)) else e)
              for e in entries]
    for var in arrays:
        if var.ndim > 1 or var.dtype[:3] not in ("int", "uin"):
            raise ShapeError(f"{what}: integer-array indexing takes integer vectors or scalars, got {var} of "
                             f"type {var.type}")
    if len(arrays) > x.ndim:
        raise ShapeError(f"{what}: {len(arrays)} index arrays for {x}, which has {x.ndim} dimension(s)")
    return arrays


def _broadcast(op, shapes) -> tuple:
    try:
        return np.broadcast_shapes(*map(tuple, shapes))
    except ValueError:
        raise ShapeError(f"{op}: index arrays of shapes {', '.join(map(shape_str, shapes))} do not "
                         "broadcast together") from None


def _check_bounds(op, x_shape, ids) -> None:
    for axis, values in enumerate(ids):
        values = np.asarray(values)
        if values.size and (values.min() < -x_shape[axis] or values.max() >= x_shape[axis]):
            bad = values[(values < -x_shape[axis]) | (values >= x_shape[axis])].flat[0]
            raise ShapeError(f"{op}: index {bad} is out of range for axis {axis} of size {x_shape[axis]}")


class AdvancedSubtensor(Op):
    """``x[a, b, ...]`` with integer index arrays on the leading axes (see the module docstring)."""

    __props__ = ()

    def make_node(self, x, *ids):
        x = as_variable(x)
        ids = index_arrays(str(self), x, ids)
        ndim = max(v.ndim for v in ids) + x.ndim - len(ids)
        return Apply(self, [x, *ids], [output_variable([x, *ids], x.dtype, ndim)])

    def perform(self, node, inputs, output_storage):
        x, *ids = inputs
        _broadcast(self, [np.shape(i) for i in ids])
        _check_bounds(self, x.shape, ids)
        output_storage[0][0] = np.array(x[tuple(ids)], copy=True, order="C")

    def infer_shape(self, node, input_shapes):
        x, *ids = input_shapes
        return [_broadcast(self, ids) + tuple(x[len(ids):])]

    def grad(self, inputs, output_grads):
        x, *ids = inputs
        (g,) = output_grads
        return [AdvancedIncSubtensor()(fill(x, np.zeros((), g.dtype)), g, *ids)] + [None] * len(ids)


class AdvancedIncSubtensor(Op):
    """A copy of ``x`` with ``y`` added at (or written to) ``x[a, b, ...]``; repeats add up."""

    __props__ = ("set_instead_of_inc",)

    def __init__(self, set_instead_of_inc: bool = False):
        self.set_instead_of_inc = bool(set_instead_of_inc)

    def __str__(self):
        return f"Advanced{'Set' if self.set_instead_of_inc else 'Inc'}Subtensor"

    def make_node(self, x, y, *ids):
        x = as_variable(x)
        y, ids = as_variable(y, like=x), index_arrays(str(self), x, ids)
        return Apply(self, [x, y, *ids], [output_variable([x, y, *ids], x.dtype, x.ndim)])

    def perform(self, node, inputs, output_storage):
        x, y, *ids = inputs
        picked = _broadcast(self, [np.shape(i) for i in ids]) + x.shape[len(ids):]
        _check_bounds(self, x.shape, ids)
        try:
            np.broadcast_shapes(np.shape(y), picked)
        except ValueError:
            raise ShapeError(f"{self}: a {shape_str(np.shape(y))} value does not fit the {shape_str(picked)} "
                             f"positions it is written to") from None
        out = np.array(x, copy=True, order="C")
        if self.set_instead_of_inc:
            out[tuple(ids)] = y
        else:
            np.add.at(out, tuple(ids), y)
        output_storage[0][0] = out

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[0])]

    def grad(self, inputs, output_grads):
        x, y, *ids = inputs
        (g,) = output_grads
        gx = AdvancedIncSubtensor(True)(g, np.zeros((), g.dtype), *ids) if self.set_instead_of_inc else g
        return [gx, sum_to(AdvancedSubtensor()(g, *ids), y)] + [None] * len(ids)
