"""Symbolic shapes: ``x.shape``, ``x.shape[i]``, and shapes learnt without running ops.

``x.shape`` is an int64 vector (op :class:`Shape`), ``x.shape[i]`` an int64 scalar
(:class:`ShapeI`, Theano's ``Shape_i``); both take part in arithmetic like any variable.

A compiled function asks for no value it only needs the shape of (Theano's ShapeFeature,
the rewrite :func:`infer_shapes`): ``Shape(y)`` becomes an :class:`InferredShape` node that
reads only the shapes of the leaves ``y`` is computed from and walks the ops' ``infer_shape``
down to ``y``; an input an op reads for its shape only (``Op.shape_inputs``, e.g. the model
of ``Fill`` in a gradient) is fed a :class:`ShapedZeros` stand-in made the same way. So
``function([x], AXPBOp(4, 5)(x).shape)`` and the gradient of ``AXPBOp(4, 5)(x).sum()`` run no
``AXPBOp``. The walk stops above ops that define no ``infer_shape``: those still run.
Because the walk trusts ``infer_shape``, every node that runs has its outputs checked
against it (:func:`check_inferred`).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError, WarpbenchError
from warpbench.graph.basic import Apply, Constant, Variable, as_variable, clone, toposort
from warpbench.graph.op import Op
from warpbench.graph.type import TensorType, shape_str

SHAPE_TYPE = TensorType("int64", 1)
EXTENT_TYPE = TensorType("int64", 0)


class ShapeIndexError(ShapeError, IndexError):
    """``x.shape[i]`` with ``i`` outside ``x``'s dimensions."""


class ShapeVector(Variable):
    """The output of ``x.shape``: indexing it gives one extent, ``len`` is ``x.ndim``."""

    def source(self) -> Variable:
        """The variable whose shape this is."""
        return self.owner.inputs[0]

    def __len__(self):
        return self.source().ndim

    def __iter__(self):
        return iter([self[i] for i in range(len(self))])

    def __getitem__(self, index) -> Variable:
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise WarpbenchError(f"{self.source()}.shape[{index!r}]: a shape takes an integer index")
        ndim = len(self)
        if not -ndim <= index < ndim:
            raise ShapeIndexError(f"{self.source()}.shape[{index}]: {self.source()} has {ndim} dimension(s)")
        return ShapeI(int(index) % ndim)(self.source())


class Shape(Op):
    """The shape of x as an int64 vector."""

    __props__ = ()

    def make_node(self, x):
        x = as_variable(x)
        return Apply(self, [x], [ShapeVector(SHAPE_TYPE)])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.array(inputs[0].shape, np.int64)

    def infer_shape(self, node, input_shapes):
        return [(len(input_shapes[0]),)]

    def grad(self, inputs, output_grads):
        return [None]


class ShapeI(Op):
    """Extent ``i`` of x, an int64 scalar (Theano's ``Shape_i``)."""

    __props__ = ("i",)

    def __init__(self, i: int):
        self.i = i

    def __str__(self):
        return f"Shape_i{{{self.i}}}"

    def make_node(self, x):
        x = as_variable(x)
        if not 0 <= self.i < x.ndim:
            raise ShapeIndexError(f"{self}: {x} has {x.ndim} dimension(s)")
        return Apply(self, [x], [EXTENT_TYPE()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.array(inputs[0].shape[self.i], np.int64)

    def infer_shape(self, node, input_shapes):
        return [()]

    def grad(self, inputs, output_grads):
        return [None]


def shape_of(x) -> ShapeVector:
    """The symbolic shape of ``x`` (what ``x.shape`` gives)."""
    return Shape()(x)


def infers_shapes(op: Op) -> bool:
    """Whether ``op`` defines ``infer_shape`` (it may still return None for a node)."""
    return type(op).infer_shape is not Op.infer_shape


def frontier(target: Variable) -> list[Variable]:
    """The variables whose values the shape of ``target`` is learnt from: leaves, and outputs
    of ops without ``infer_shape`` (those must run)."""
    found, seen, stack = [], set(), [target]
    while stack:
        var = stack.pop()
        if var in seen:
            continue
        seen.add(var)
        if var.owner is None or not infers_shapes(var.owner.op):
            found.append(var)
        else:
            stack.extend(reversed(var.owner.inputs))
    return found


class InferredShape(Op):
    """The shape of ``target`` (or its extent ``index``) from the values of its ``frontier``,
    through the ``infer_shape`` of every op between: no op between them runs.

    Made by :func:`infer_shapes` in a compiled function; holds a private copy of the
    subgraph, which later rewrites of the function's graph do not touch.
    """

    def __init__(self, target: Variable, sources: list[Variable], index: int | None = None):
        self.sources = list(sources)
        (self.target,) = clone([target], stop_at=self.sources)
        self.order = toposort([self.target], stop_at=self.sources)
        self.index = index

    def __str__(self):
        shown = f", i={self.index}" if self.index is not None else ""
        return f"{type(self).__name__}{{{self.target}{shown}}}"

    def make_node(self, *sources):
        return Apply(self, sources, [(SHAPE_TYPE if self.index is None else EXTENT_TYPE)()])

    def infer(self, values) -> tuple:
        """The shape of the target, given the values of the sources."""
        known = dict(zip(self.sources, values))
        shapes = {var: tuple(value.shape) if hasattr(value, "shape") else np.shape(value)
                  for var, value in known.items()}
        for node in self.order:
            found = node.op.infer_shape(node, [shapes[v] for v in node.inputs])
            if found is None:
                found = self._from_extents(node, shapes, known)
            if found is None:  # this op cannot tell for this node: compute it
                found = [np.shape(self._value(out, known)) for out in node.outputs]
            shapes.update(zip(node.outputs, (tuple(int(d) for d in s) for s in found)))
        return shapes[self.target]

    def _from_extents(self, node, shapes: dict, known: dict):
        """The output shapes of an op that reads them from its integer scalar inputs
        (``infer_shape_from_extents``, e.g. Reshape), those scalars worked out from shapes
        alone; None when the op has no such method or a scalar needs a tensor's value."""
        method = getattr(node.op, "infer_shape_from_extents", None)
        if method is None:
            return None
        try:
            extents = {v: self._extent(v, shapes, known) for v in node.inputs if v.ndim == 0}
        except LookupError:
            return None
        return method(node, [shapes[v] for v in node.inputs], extents)

    def _extent(self, var: Variable, shapes: dict, known: dict):
        """The value of the scalar ``var`` from constants, given values and extents of known
        shapes, through scalar ops only; LookupError when it needs a tensor's value."""
        if isinstance(var, Constant):  # before ``known``: a stand-in's check feeds sources zeros
            return var.data
        node = var.owner
        if node is not None and isinstance(node.op, ShapeI) and node.inputs[0] in shapes:
            return np.int64(shapes[node.inputs[0]][node.op.i])
        if node is not None and isinstance(node.op, InferredShape) and all(v in shapes for v in node.inputs):
            shape = node.op.infer([np.broadcast_to(np.int8(0), shapes[v]) for v in node.inputs])
            return np.array(shape if node.op.index is None else shape[node.op.index], np.int64)
        if var in known:
            return known[var]
        if node is None or any(v.ndim for v in node.inputs):
            raise LookupError(var)
        cells = [[None] for _ in node.outputs]
        node.op.perform(node, [self._extent(v, shapes, known) for v in node.inputs], cells)
        known.update(zip(node.outputs, (cell[0] for cell in cells)))
        return known[var]

    def _value(self, var: Variable, known: dict):
        if isinstance(var, Constant):  # as in _extent: a stand-in's check feeds sources zeros
            return var.data
        if var not in known:
            node = var.owner
            cells = [[None] for _ in node.outputs]
            node.op.perform(node, [self._value(v, known) for v in node.inputs], cells)
            known.update(zip(node.outputs, (cell[0] for cell in cells)))
        return known[var]

    def perform(self, node, inputs, output_storage):
        shape = self.infer(inputs)
        output_storage[0][0] = np.array(shape if self.index is None else shape[self.index], np.int64)

    def infer_shape(self, node, input_shapes):
        return [(self.target.ndim,) if self.index is None else ()]


class ShapedZeros(InferredShape):
    """Zeros of ``target``'s type and shape, without memory (a zero-stride view): what an op
    that reads an input for its shape only is given instead of computing that input."""

    do_constant_folding = False  # a folded constant would hold every element

    def make_node(self, *sources):
        return Apply(self, sources, [self.target.type()])

    def perform(self, node, inputs, output_storage):
        zero = np.zeros((), self.target.dtype)
        output_storage[0][0] = np.broadcast_to(zero, self.infer(inputs))

    def infer_shape(self, node, input_shapes):
        return [self.infer([np.broadcast_to(np.int8(0), s) for s in input_shapes])]


def _learnt(target: Variable, make) -> Variable | None:
    """``make(target, sources)(*sources)`` when the shape of ``target`` can be learnt without
    computing it, else None."""
    sources = frontier(target)
    if target in sources:
        return None
    return make(target, sources)(*sources)


def infer_shapes(fg) -> int:
    """The ShapeFeature rewrite (see the module docstring); returns how many nodes it changed."""
    changed = 0

    def transform(node):
        nonlocal changed
        if isinstance(node.op, (Shape, ShapeI)):
            index = node.op.i if isinstance(node.op, ShapeI) else None
            learnt = _learnt(node.inputs[0], lambda t, s: InferredShape(t, s, index))
            return None if learnt is None else [learnt]
        for k in node.op.shape_inputs:
            stand_in = _learnt(node.inputs[k], ShapedZeros)
            if stand_in is not None:
                node.inputs[k] = stand_in
                changed += 1
        return None

    return fg.rewrite(transform) + changed


def check_inferred(node: Apply, inferred, output_storage: list[list]) -> None:
    """ShapeError when an output of ``node`` does not have the shape its op's ``infer_shape``
    gave: shapes learnt from infer_shape (InferredShape) would be wrong."""
    for k, (shape, cell) in enumerate(zip(inferred, output_storage)):
        value = cell[0]
        actual = tuple(value.shape) if hasattr(value, "shape") else np.shape(value)
        if tuple(shape) != actual:
            raise ShapeError(f"{type(node.op).__name__}.infer_shape is wrong for output {k} "
                             f"({node.outputs[k]}): it gave {shape_str(shape)}, the node computed "
                             f"{shape_str(actual)}")
