"""Ops that move elements without computing: ``dimshuffle`` (with 'x' for a new axis of extent
1), ``reshape``, ``flatten``, ``concatenate`` and ``stack``, with Theano's names. On a kernel
device ``dimshuffle`` runs the generated permute kernel (warpbench.kernels.permute).

Types carry no broadcastable pattern (extents are checked when a function runs), so
``dimshuffle`` may drop an axis only when its extent is 1 at run time, and an axis added
with 'x' broadcasts as any extent-1 axis does in NumPy. Axis arguments are checked when the
graph is built (:func:`normalize_axis`); extents when it runs, with the node in the message.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph.basic import Apply, Constant, Variable, as_variable
from warpbench.graph.op import Op, output_variable
from warpbench.graph.shape import ShapeI
from warpbench.graph.subtensor import Subtensor, parse_index
from warpbench.graph.type import shape_str


class AxisError(ShapeError, IndexError):
    """An axis argument outside the dimensions of the variable it applies to."""


def normalize_axis(what: str, x: Variable, axis, ndim: int | None = None) -> tuple[int, ...] | None:
    """``axis`` (None, an int or a sequence of ints, negatives counting from the end) as sorted
    non-negative axes of a ``ndim``-D value (default ``x.ndim``); None stays None (all axes)."""
    ndim = x.ndim if ndim is None else ndim
    if axis is None:
        return None
    axes = list(axis) if isinstance(axis, (tuple, list)) else [axis]
    found = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise AxisError(f"{what}: an axis must be an integer, got {a!r}")
        if not -ndim <= a < ndim:
            raise AxisError(f"{what}: axis {a} is out of range for {x} ({ndim} dimension(s))")
        found.append(int(a) % ndim)
    if len(set(found)) != len(found):
        raise AxisError(f"{what}: axis {axis!r} repeats an axis")
    return tuple(sorted(found))


def extent(x: Variable, i: int) -> Variable:
    """The symbolic extent ``i`` of ``x`` (``x.shape[i]``)."""
    return ShapeI(i)(x)


def extents_product(x: Variable, axes) -> Variable:
    """The product of the extents ``axes`` of ``x``, an int64 scalar (1 for no axes)."""
    total = None
    for i in axes:
        total = extent(x, i) if total is None else total * extent(x, i)
    return as_variable(np.int64(1)) if total is None else total


class DimShuffle(Op):
    """Axes of x reordered, dropped (extent 1 only) or added ('x'): ``new_order`` as in Theano."""

    __props__ = ("new_order",)

    def __init__(self, new_order):
        self.new_order = tuple(a if a == "x" else int(a) for a in new_order)

    def __str__(self):
        return f"DimShuffle{{{','.join(str(a) for a in self.new_order)}}}"

    def make_node(self, x):
        x = as_variable(x)
        axes = [a for a in self.new_order if a != "x"]
        bad = [a for a in axes if not 0 <= a < x.ndim]
        if bad:
            raise AxisError(f"{self}: axis {bad[0]} is out of range for {x} ({x.ndim} dimension(s))")
        if len(set(axes)) != len(axes):
            raise AxisError(f"{self}: an axis of {x} appears twice")
        return Apply(self, [x], [output_variable([x], x.dtype, len(self.new_order))])

    def dropped(self, ndim: int) -> list[int]:
        """The input axes that do not appear in ``new_order``."""
        return [a for a in range(ndim) if a not in self.new_order]

    def _check(self, shape):
        for a in self.dropped(len(shape)):
            if shape[a] != 1:
                raise ShapeError(f"{self}: axis {a} has extent {shape[a]} (shape {shape_str(shape)}); only an "
                                 f"axis of extent 1 can be dropped")

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        self._check(x.shape)
        kept = [a for a in self.new_order if a != "x"]
        moved = np.transpose(x, kept + self.dropped(x.ndim))  # the dropped extent-1 axes last
        output_storage[0][0] = np.array(moved.reshape(self.infer_shape(node, [x.shape])[0]), copy=True, order="C")

    def infer_shape(self, node, input_shapes):
        (shape,) = input_shapes
        self._check(shape)
        return [tuple(1 if a == "x" else shape[a] for a in self.new_order)]

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        back = ["x" if a not in self.new_order else self.new_order.index(a) for a in range(x.ndim)]
        return [DimShuffle(back)(g)]

    def device_kernel(self, node):
        """The generated permute kernel for the output's rank (warpbench.kernels.permute)."""
        from warpbench.kernels.permute import DTYPES, permute_spec
        out = node.outputs[0]
        return permute_spec(out.dtype, out.ndim) if out.dtype in DTYPES else None

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.kernels.permute import launch_permute
        (x,) = inputs
        self._check(tuple(x.shape))
        output_storage[0][0] = launch_permute(kernel, x, self.new_order)


def dimshuffle(x, *pattern) -> Variable:
    """``x.dimshuffle(1, 'x', 0)``; the pattern may also be given as one list or tuple."""
    if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
        pattern = tuple(pattern[0])
    for a in pattern:
        if a != "x" and (not isinstance(a, (int, np.integer)) or isinstance(a, bool)):
            raise AxisError(f"dimshuffle{pattern!r}: entries are axes or 'x', got {a!r}")
    return DimShuffle(pattern)(x)


def transpose(x, axes=None) -> Variable:
    """``x`` with its axes reversed (or permuted by ``axes``), Theano's ``transpose``."""
    x = as_variable(x)
    if axes is None:
        if x.ndim == 2:
            from warpbench.graph import linalg
            return linalg.transpose(x)
        axes = tuple(range(x.ndim))[::-1]
    if sorted(normalize_axis(f"transpose(axes={axes!r})", x, axes)) != list(range(x.ndim)) or len(axes) != x.ndim:
        raise AxisError(f"transpose: axes {tuple(axes)!r} is not a permutation of the {x.ndim} axes of {x}")
    return DimShuffle([int(a) % x.ndim for a in axes])(x)


def _extent_input(what: str, value) -> Variable:
    var = as_variable(np.int64(value)) if isinstance(value, (int, np.integer)) else as_variable(value)
    if var.ndim != 0 or var.dtype[:3] not in ("int", "uin"):
        raise DTypeError(f"{what}: an extent must be an integer or an integer scalar variable, got {var}")
    return var


def _target_shape(what: str, shape, extents) -> tuple:
    extents = [int(e) for e in extents]
    size = int(np.prod(shape))
    unknown = [i for i, e in enumerate(extents) if e == -1]
    known = int(np.prod([e for e in extents if e != -1]))
    if len(unknown) > 1 or any(e < -1 for e in extents):
        raise ShapeError(f"{what}: extents {tuple(extents)} are not sizes (one -1 at most)")
    if unknown and known and size % known == 0:
        extents[unknown[0]] = size // known
    if unknown and extents[unknown[0]] == -1 or int(np.prod(extents)) != size:
        raise ShapeError(f"{what}: cannot reshape {shape_str(shape)} ({size} elements) into "
                         f"{'x'.join(str(e) for e in extents)}")
    return tuple(extents)


class Reshape(Op):
    """x with the same elements in C order and a new shape, given as ``ndim`` int scalar inputs
    (one may be -1: whatever the others leave)."""

    __props__ = ("ndim",)

    def __init__(self, ndim: int):
        self.ndim = int(ndim)

    def make_node(self, x, *extents):
        x = as_variable(x)
        if len(extents) != self.ndim:
            raise ShapeError(f"{self}: takes {self.ndim} extent(s), got {len(extents)}")
        extents = [_extent_input(str(self), e) for e in extents]
        return Apply(self, [x, *extents], [output_variable([x], x.dtype, self.ndim)])

    def perform(self, node, inputs, output_storage):
        x, *extents = inputs
        output_storage[0][0] = np.array(x.reshape(_target_shape(str(self), x.shape, extents)), copy=True, order="C")

    def infer_shape(self, node, input_shapes):
        extents = node.inputs[1:]
        if not all(isinstance(e, Constant) for e in extents):
            return None
        return [_target_shape(str(self), input_shapes[0], [e.data for e in extents])]

    def infer_shape_from_extents(self, node, input_shapes, extents):
        """The output shape given the extents' values (an InferredShape works them out from
        the shapes they are computed from, so a reshape to ``(x.shape[0] * x.shape[1], -1)``
        in a gradient runs nothing above it)."""
        return [_target_shape(str(self), input_shapes[0], [extents[e] for e in node.inputs[1:]])]

    def grad(self, inputs, output_grads):
        x, *extents = inputs
        return [reshape(output_grads[0], [extent(x, i) for i in range(x.ndim)])] + [None] * len(extents)


def reshape(x, newshape, ndim: int | None = None) -> Variable:
    """``x`` reshaped to ``newshape``: a list of ints / int scalar variables (one may be -1),
    another variable's ``.shape``, or an int vector variable with its length ``ndim``."""
    x = as_variable(x)
    if isinstance(newshape, (int, np.integer)):
        newshape = (newshape,)
    if isinstance(newshape, Variable) and not hasattr(newshape, "source"):
        if newshape.ndim != 1 or ndim is None:
            raise ShapeError(f"reshape: a symbolic shape must be an int vector given with its length ndim=, "
                             f"got {newshape} of type {newshape.type}")
        newshape = [newshape[i] for i in range(ndim)]
    extents = list(newshape)
    return Reshape(len(extents))(x, *extents)


def flatten(x, ndim: int = 1) -> Variable:
    """``x`` with its first ``ndim - 1`` axes kept and the rest merged into one (Theano's flatten)."""
    x = as_variable(x)
    if not 1 <= ndim <= max(x.ndim, 1):
        raise AxisError(f"flatten(ndim={ndim}): {x} has {x.ndim} dimension(s); ndim must be 1..{max(x.ndim, 1)}")
    kept = [extent(x, i) for i in range(ndim - 1)]
    return Reshape(ndim)(x, *kept, extents_product(x, range(ndim - 1, x.ndim)))


class Join(Op):
    """The inputs concatenated along ``axis`` (Theano's ``Join``); other extents must agree."""

    __props__ = ("axis",)

    def __init__(self, axis: int):
        self.axis = int(axis)

    def make_node(self, *tensors):
        if not tensors:
            raise WarpbenchError(f"{self}: needs at least one tensor to join")
        tensors = [as_variable(t) for t in tensors]
        ndims = {t.ndim for t in tensors}
        if len(ndims) != 1:
            shown = ", ".join(f"{t} ({t.ndim}-D)" for t in tensors)
            raise ShapeError(f"{self}: the tensors must have the same number of dimensions, got {shown}")
        if not 0 <= self.axis < tensors[0].ndim:
            raise AxisError(f"{self}: axis {self.axis} is out of range for {tensors[0].ndim}-D tensors")
        dtype = np.result_type(*(np.dtype(t.dtype) for t in tensors))
        return Apply(self, tensors, [output_variable(tensors, dtype, tensors[0].ndim)])

    def perform(self, node, inputs, output_storage):
        self.infer_shape(node, [x.shape for x in inputs])
        output_storage[0][0] = np.concatenate(inputs, axis=self.axis).astype(node.outputs[0].dtype, copy=False)

    def infer_shape(self, node, input_shapes):
        first = tuple(input_shapes[0])
        for k, shape in enumerate(input_shapes[1:], 1):
            if len(shape) != len(first) or any(a != b for i, (a, b) in enumerate(zip(shape, first)) if i != self.axis):
                raise ShapeError(f"{self}: input {k} has shape {shape_str(shape)}, input 0 {shape_str(first)}; "
                                 f"they must agree except on axis {self.axis}")
        total = int(sum(shape[self.axis] for shape in input_shapes))
        return [first[:self.axis] + (total,) + first[self.axis + 1:]]

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        grads, start = [], as_variable(np.int64(0))
        for x in inputs:
            stop = start + extent(x, self.axis)
            index = (slice(None),) * self.axis + (slice(start, stop),)
            idx_list, scalars = parse_index(str(self), g, index)
            grads.append(Subtensor(idx_list)(g, *scalars))
            start = stop
        return grads


def concatenate(tensor_list, axis: int = 0) -> Variable:
    """The tensors of ``tensor_list`` joined along ``axis`` (Theano's ``concatenate``)."""
    tensors = [as_variable(t) for t in tensor_list]
    if not tensors:
        raise WarpbenchError("concatenate: needs at least one tensor")
    (axis,) = normalize_axis(f"concatenate(axis={axis})", tensors[0], axis)
    return Join(axis)(*tensors)


def stack(tensors, axis: int = 0) -> Variable:
    """The tensors (all of one shape) along a new axis ``axis`` (Theano's ``stack``)."""
    tensors = [as_variable(t) for t in tensors]
    if not tensors:
        raise WarpbenchError("stack: needs at least one tensor")
    (axis,) = normalize_axis(f"stack(axis={axis})", tensors[0], axis, tensors[0].ndim + 1)
    pattern = list(range(tensors[0].ndim))
    pattern.insert(axis, "x")
    return Join(axis)(*(DimShuffle(pattern)(t) for t in tensors))
