"""The graph itself: variables, constants, Apply nodes, and walks over them.

A graph is bipartite, as in Theano: a :class:`Variable` is produced by at most one
:class:`Apply` node (its ``owner``), and an Apply node applies an ``Op`` to input
variables to make output variables. Variables without an owner are the leaves: free
inputs, constants and shared variables.
"""
from __future__ import annotations

import importlib
import os
import sys

import numpy as np

from warpbench.graph.config import float_x
from warpbench.graph.type import TensorType, shape_str

_GRAPH_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _operator(name: str, reflected: bool = False, module: str = "elemwise"):
    """A binary operator method calling ``<module>.<name>`` (``reflected``: for ``2 * x``)."""
    def method(self, other):
        # the op modules import this module, hence the import at call time.
        op = getattr(importlib.import_module(f"warpbench.graph.{module}"), name)
        return op(other, self) if reflected else op(self, other)
    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


class Variable:
    """A symbolic array: its ``type``, the ``owner`` node computing it and its output ``index``.

    Arithmetic builds elementwise nodes: ``x * 2 + 4 * x`` is ``Add(Mul(x, 2), Mul(4, x))``
    with the Python numbers turned into :class:`Constant` of x's dtype.
    """

    def __init__(self, type: TensorType, owner: "Apply | None" = None, index: int | None = None,
                 name: str | None = None):
        self.type, self.owner, self.index, self.name = type, owner, index, name

    @property
    def dtype(self) -> str:
        """The dtype name of the values this variable holds."""
        return self.type.dtype

    @property
    def ndim(self) -> int:
        """The number of dimensions of the values this variable holds."""
        return self.type.ndim

    def __str__(self):
        if self.name is not None:
            return self.name
        if self.owner is not None:
            return f"{self.owner.op}.{self.index}"
        return f"<{self.type}>"

    __repr__ = __str__

    # Arithmetic operators build elementwise nodes (see elemwise.py). NumPy must not
    # treat a Variable as an array element: ``ndarray * x`` calls ``x.__rmul__``.
    __array_ufunc__ = None
    __add__, __radd__ = _operator("add"), _operator("add", reflected=True)
    __sub__, __rsub__ = _operator("sub"), _operator("sub", reflected=True)
    __mul__, __rmul__ = _operator("mul"), _operator("mul", reflected=True)
    __truediv__, __rtruediv__ = _operator("true_div"), _operator("true_div", reflected=True)
    __pow__, __rpow__ = _operator("pow", module="math"), _operator("pow", reflected=True, module="math")
    # ==, != keep identity (variables are dict keys); math.eq / math.neq compare values.
    __lt__, __le__ = _operator("lt", module="math"), _operator("le", module="math")
    __gt__, __ge__ = _operator("gt", module="math"), _operator("ge", module="math")

    def __neg__(self):
        from warpbench.graph import elemwise
        return elemwise.neg(self)

    def __matmul__(self, other):
        from warpbench.graph import linalg
        return linalg.dot(self, other)

    @property
    def shape(self) -> "Variable":
        """The symbolic shape, an int64 vector; ``x.shape[i]`` is one extent (see shape.py)."""
        from warpbench.graph import shape
        return shape.shape_of(self)

    def __abs__(self):
        from warpbench.graph import math
        return math.abs(self)

    def __getitem__(self, index) -> "Variable":
        """``x[i]``, ``x[:, 1:3]``, ``x[ids]`` (see subtensor.py)."""
        from warpbench.graph import subtensor
        return subtensor.getitem(self, index)

    def __bool__(self):
        raise TypeError(f"the truth of {self} is unknown until a function runs it: "
                        f"use switch(cond, a, b) for a choice in the graph")

    def __iter__(self):
        raise TypeError(f"{self} is symbolic and its length unknown: index it (x[i]) instead of iterating")

    @property
    def T(self) -> "Variable":
        """The variable with its axes reversed (a matrix transposed)."""
        from warpbench.graph import shape_ops
        return shape_ops.transpose(self)

    def _call(self, module: str, name: str, *args, **kwargs) -> "Variable":
        return getattr(importlib.import_module(f"warpbench.graph.{module}"), name)(self, *args, **kwargs)

    def sum(self, axis=None, dtype=None, keepdims=False) -> "Variable":
        """The sum over ``axis`` (all elements by default)."""
        return self._call("reduce_ops", "sum", axis, dtype, keepdims)

    def prod(self, axis=None, dtype=None, keepdims=False) -> "Variable":
        """The product over ``axis``."""
        return self._call("reduce_ops", "prod", axis, dtype, keepdims)

    def mean(self, axis=None, dtype=None, keepdims=False) -> "Variable":
        """The mean over ``axis``."""
        return self._call("reduce_ops", "mean", axis, dtype, keepdims)

    def max(self, axis=None, keepdims=False) -> "Variable":
        """The maximum over ``axis``."""
        return self._call("reduce_ops", "max", axis, keepdims)

    def min(self, axis=None, keepdims=False) -> "Variable":
        """The minimum over ``axis``."""
        return self._call("reduce_ops", "min", axis, keepdims)

    def argmax(self, axis=None, keepdims=False) -> "Variable":
        """The index of the first maximum along ``axis``."""
        return self._call("reduce_ops", "argmax", axis, keepdims)

    def var(self, axis=None, ddof=0, keepdims=False) -> "Variable":
        """The variance over ``axis``."""
        return self._call("reduce_ops", "var", axis, ddof, keepdims)

    def reshape(self, shape, ndim=None) -> "Variable":
        """The variable reshaped (see shape_ops.reshape)."""
        return self._call("shape_ops", "reshape", shape, ndim)

    def flatten(self, ndim=1) -> "Variable":
        """The first ``ndim - 1`` axes kept, the rest merged."""
        return self._call("shape_ops", "flatten", ndim)

    def dimshuffle(self, *pattern) -> "Variable":
        """Axes reordered, dropped (extent 1) or added ('x')."""
        return self._call("shape_ops", "dimshuffle", *pattern)

    def eval(self, inputs_to_values: dict | None = None):
        """This variable's value given ``{input variable: value}`` (Theano's ``eval``), computed
        on the default device; the function compiled for those inputs is kept for the next call."""
        from warpbench.graph.function import function
        given = dict(inputs_to_values or {})
        compiled = self.__dict__.setdefault("_eval_functions", {})
        key = tuple(given)
        if key not in compiled:
            compiled[key] = function(list(key), self, name=f"{self}.eval", on_unused_input="ignore")
        return compiled[key](*given.values())

    def astype(self, dtype) -> "Variable":
        """The variable cast to ``dtype``."""
        return self._call("math", "cast", dtype)


class Constant(Variable):
    """A leaf with a fixed value; equal constants (same type and bytes) merge into one."""

    def __init__(self, type: TensorType, data, name: str | None = None):
        super().__init__(type, name=name)
        self.data = np.array(type.filter(data))  # a private copy: the user's array stays writeable
        self.data.setflags(write=False)  # shared by every function using it

    def signature(self):
        """What makes two constants interchangeable: type, shape and exact bytes."""
        return (self.type, self.data.shape, self.data.tobytes())

    def __str__(self):
        if self.name is not None:
            return self.name
        if self.data.size <= 8:
            shown = np.array2string(self.data, separator=", ") if self.data.ndim else repr(self.data.item())
        else:
            shown = f"{self.dtype}, shape={shape_str(self.data.shape)}"
        return f"TensorConstant{{{shown}}}"

    __repr__ = __str__


def constant(value, dtype=None, name: str | None = None) -> Constant:
    """A Constant holding ``value`` (an array or a number) as ``dtype`` (default: its own)."""
    data = np.asarray(value, dtype=dtype)
    return Constant(TensorType(data.dtype, data.ndim), data, name=name)


def as_variable(value, like: Variable | None = None) -> Variable:
    """``value`` itself when it is a Variable, else a Constant.

    A Python number next to ``like`` gets the dtype NumPy would give ``like``'s array
    combined with that number, so ``x * 2`` stays float32 for a float32 ``x``; a lone
    Python float gets ``floatX``.
    """
    if isinstance(value, Variable):
        return value
    if like is not None and isinstance(value, (bool, int, float)):
        return constant(value, np.result_type(np.dtype(like.dtype), value))
    if isinstance(value, float):
        return constant(value, float_x())
    if not isinstance(value, (bool, int, float, np.ndarray, np.generic, list, tuple)):
        raise TypeError(f"cannot make a graph variable from {type(value).__name__} {value!r}")
    return constant(value)


def _creation_site() -> str | None:
    """'file.py:12' of the first caller outside warpbench/graph: where the user built a node."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_GRAPH_DIR):
        frame = frame.f_back
    if frame is None:
        return None
    return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"


class Apply:
    """One application of ``op`` to ``inputs``, producing ``outputs`` (fresh variables it owns)."""

    def __init__(self, op, inputs, outputs, trace: str | None = None):
        self.op = op
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        for index, out in enumerate(self.outputs):
            if out.owner is not None:
                raise ValueError(f"{op}: output {index} ({out}) already belongs to {out.owner}")
            out.owner, out.index = self, index
        self.trace = trace or _creation_site()

    def __str__(self):
        return f"{self.op}({', '.join(str(i) for i in self.inputs)})"

    __repr__ = __str__


def toposort(outputs, stop_at=()) -> list[Apply]:
    """The Apply nodes computing ``outputs``, every node after the nodes it reads from.

    The walk does not go above variables in ``stop_at`` (a function's inputs).
    Variables and nodes compare by identity, so they serve as set members directly.
    """
    stop = set(stop_at)
    order, done = [], set()
    for out in outputs:
        stack = [(out.owner, False)] if out.owner is not None and out not in stop else []
        while stack:
            node, expanded = stack.pop()
            if node in done:
                continue
            if expanded:  # all its inputs are placed
                done.add(node)
                order.append(node)
                continue
            stack.append((node, True))
            for var in reversed(node.inputs):
                if var.owner is not None and var not in stop and var.owner not in done:
                    stack.append((var.owner, False))
    return order


def leaves(outputs, stop_at=()) -> list[Variable]:
    """The variables without an owner (or in ``stop_at``) that ``outputs`` depend on, in order."""
    stop = set(stop_at)
    reads = [var for node in toposort(outputs, stop) for var in node.inputs] + list(outputs)
    return list(dict.fromkeys(var for var in reads if var.owner is None or var in stop))


def clone(outputs, stop_at=()) -> list[Variable]:
    """Copies of ``outputs`` with every node above them copied; leaves are kept as they are.

    Rewrites edit nodes in place, so a compiled function works on a copy and the user's
    graph is never changed.
    """
    memo: dict[Variable, Variable] = {}
    for node in toposort(outputs, stop_at):
        inputs = [memo.get(v, v) for v in node.inputs]
        copy = Apply(node.op, inputs, [Variable(o.type, name=o.name) for o in node.outputs], trace=node.trace)
        memo.update(zip(node.outputs, copy.outputs))
    return [memo.get(v, v) for v in outputs]


def clone_replace(outputs, replace: dict) -> list[Variable]:
    """Copies of ``outputs`` with the variables of ``replace`` swapped for their values
    (every node between them copied; other leaves kept)."""
    memo = dict(replace)
    for node in toposort(outputs, stop_at=list(replace)):
        inputs = [memo.get(v, v) for v in node.inputs]
        copy = Apply(node.op, inputs, [Variable(o.type, name=o.name) for o in node.outputs], trace=node.trace)
        memo.update(zip(node.outputs, copy.outputs))
    return [memo.get(v, v) for v in outputs]


def tensor(name: str | None = None, dtype=None, ndim: int = 0) -> Variable:
    """A free input variable: an ``ndim``-dimensional array of ``dtype`` (default ``floatX``)."""
    return TensorType(dtype or float_x(), ndim)(name)


def scalar(name: str | None = None, dtype=None) -> Variable:
    """A free 0-d input variable."""
    return tensor(name, dtype, 0)


def vector(name: str | None = None, dtype=None) -> Variable:
    """A free 1-d input variable."""
    return tensor(name, dtype, 1)


def matrix(name: str | None = None, dtype=None) -> Variable:
    """A free 2-d input variable."""
    return tensor(name, dtype, 2)


def tensor4(name: str | None = None, dtype=None) -> Variable:
    """A free 4-d input variable (e.g. a batch of NCHW images)."""
    return tensor(name, dtype, 4)
