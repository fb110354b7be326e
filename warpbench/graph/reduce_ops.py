"""Reductions along axes, with Theano's names and signatures: ``sum``, ``prod``, ``max``, ``min``
(each ``(x, axis=None, keepdims=False)``), ``argmax``, and ``mean``, ``var``, ``std`` built
from them.

``axis`` is None (every axis), an int or a tuple of ints, negatives counting from the end;
it is checked when the graph is built. On a kernel device every ``sum``, ``prod``, ``max``
and ``min`` of float32 or float64 runs there: ``sum`` and ``max`` over a leading or trailing
run of axes (the input then is a row-major matrix reduced along one axis) run the registry's
``reduce_sum`` / ``reduce_max``, every other set of axes the generated axis-reduce kernel
(warpbench.kernels.axis_reduce); ``argmax`` along the last axis runs ``argmax_warp_row``.
``mean``, ``var`` and ``std`` are built from ``Sum`` and elementwise ops, so they follow.
Integer reductions run on the host. Sums of integers are int64, as in NumPy.
"""
from __future__ import annotations

import builtins

import numpy as np

from warpbench.errors import ShapeError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.math import cast, eq, switch
from warpbench.graph.op import Op, output_variable
from warpbench.graph.reduction import fill
from warpbench.graph.shape_ops import AxisError, DimShuffle, extents_product, normalize_axis
from warpbench.graph.type import FLOAT_DTYPES, shape_str


class Reduce(Op):
    """Base of the reductions: ``numpy_function(x, axis, keepdims)`` over ``axis`` (None: all)."""

    __props__ = ("axis", "keepdims")
    numpy_function = None
    #: The registry workload computing this reduction over a leading or trailing run of axes
    #: on a device ("reduce_sum"), if any.
    kernel_workload: str | None = None
    #: The op of the generated axis-reduce kernel computing it over any axes ("sum"), if any.
    kernel_op: str | None = None

    def __init__(self, axis: tuple[int, ...] | None = None, keepdims: bool = False):
        self.axis = None if axis is None else tuple(int(a) for a in axis)
        self.keepdims = bool(keepdims)

    def _settings(self) -> list[str]:
        return ([f"axis={self.axis}"] if self.axis is not None else []) + (["keepdims=True"] if self.keepdims else [])

    def __str__(self):
        settings = self._settings()
        return type(self).__name__ + (f"{{{', '.join(settings)}}}" if settings else "")

    __repr__ = __str__

    def pretty(self, operands: list[str]) -> str:
        """How pprint writes the reduction: ``sum(x)``, ``max(x, axis=(1,), keepdims=True)``."""
        return f"{type(self).__name__.lower()}({', '.join(operands + self._settings())})"

    def axes(self, ndim: int) -> tuple[int, ...]:
        """The reduced axes of a ``ndim``-D input."""
        return tuple(range(ndim)) if self.axis is None else self.axis

    def output_dtype(self, dtype: str) -> str:
        """The dtype of the result for an input of ``dtype``."""
        return dtype

    def make_node(self, x):
        x = as_variable(x)
        if self.axis is not None and any(a >= x.ndim for a in self.axis):
            raise AxisError(f"{self}: axis {builtins.max(self.axis)} is out of range for {x} ({x.ndim} dimension(s))")
        ndim = x.ndim if self.keepdims else x.ndim - len(self.axes(x.ndim))
        return Apply(self, [x], [output_variable([x], self.output_dtype(x.dtype), ndim)])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        found = type(self).numpy_function(x, axis=self.axes(x.ndim), keepdims=self.keepdims)
        output_storage[0][0] = np.asarray(found, dtype=node.outputs[0].dtype)

    def infer_shape(self, node, input_shapes):
        (shape,) = input_shapes
        axes = self.axes(len(shape))
        if self.keepdims:
            return [tuple(1 if i in axes else n for i, n in enumerate(shape))]
        return [tuple(n for i, n in enumerate(shape) if i not in axes)]

    def expand(self, g, x):
        """``g`` (shaped like this op's output on x) with the reduced axes back, of extent 1."""
        axes = self.axes(x.ndim)
        if self.keepdims or list(axes) == list(range(len(axes))):
            return g  # leading axes come back by NumPy's broadcasting
        kept = iter(range(g.ndim))
        return DimShuffle(["x" if i in axes else next(kept) for i in range(x.ndim)])(g)

    # -- on a kernel device ------------------------------------------------------------

    def matrix_view(self, ndim: int) -> tuple[int, int] | None:
        """(split, kernel axis) when the reduced axes are a leading (axis 0) or trailing (axis 1)
        run: the input is then a (prod(shape[:split]), prod(shape[split:])) matrix; else None."""
        axes = self.axes(ndim)
        if not axes or list(axes) != list(range(axes[0], axes[-1] + 1)):
            return None
        if axes[-1] == ndim - 1:
            return axes[0], 1
        return (axes[-1] + 1, 0) if axes[0] == 0 else None

    def registry_kernel(self, node) -> str | None:
        """The registry kernel for ``node`` when its reduced axes are a leading or trailing run."""
        x = node.inputs[0]
        if self.kernel_workload is None or self.matrix_view(x.ndim) is None:
            return None
        return self.kernel_workload + ("_f64" if x.dtype == "float64" else "")

    def device_kernel(self, node):
        x = node.inputs[0]
        if self.kernel_op is None or x.dtype not in FLOAT_DTYPES:
            return None
        from warpbench.kernels.axis_reduce import spec_for
        return self.registry_kernel(node) or spec_for(self.kernel_op, x.dtype, x.ndim, self.axes(x.ndim))

    def perform_device(self, node, kernel, inputs, output_storage):
        x = inputs[0]
        out_shape = self.infer_shape(node, [tuple(x.shape)])[0]
        if self.registry_kernel(node) is None:
            from warpbench.kernels.axis_reduce import launch_axis_reduce
            output_storage[0][0] = launch_axis_reduce(kernel, self.kernel_op, x, self.axes(x.ndim), out_shape)
            return
        split, axis = self.matrix_view(len(x.shape))
        rows, cols = int(np.prod(x.shape[:split])), int(np.prod(x.shape[split:]))
        if self.numpy_function is not np.sum and (cols if axis else rows) == 0:
            raise ShapeError(f"{self}: cannot reduce the zero-size axes of a {shape_str(x.shape)} array "
                             f"(the reduction has no identity)")
        out = kernel.device.empty(out_shape, x.dtype)
        kernel.launch_problem({"rows": rows, "cols": cols, "axis": axis, "dtype": np.dtype(x.dtype).name},
                              {"x": x, "out": out})
        output_storage[0][0] = out


class Sum(Reduce):
    """The sum over ``axis`` (all elements by default); ints sum to int64."""
    numpy_function = staticmethod(np.sum)
    kernel_workload = "reduce_sum"
    kernel_op = "sum"

    def output_dtype(self, dtype):
        return dtype if dtype in FLOAT_DTYPES else "int64" if dtype[0] in "ib" else "uint64"

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [fill(x, self.expand(g, x)) if x.dtype in FLOAT_DTYPES else None]


class Prod(Reduce):
    """The product over ``axis``; its gradient is exact with zeros in x (see :meth:`grad`)."""
    numpy_function = staticmethod(np.prod)
    kernel_op = "prod"

    def output_dtype(self, dtype):
        return Sum.output_dtype(self, dtype)

    def grad(self, inputs, output_grads):
        """g times, for each element, the product of the others of its reduced group, from two
        reductions (so it runs where they do): the product of the group's nonzero elements and
        its count of zeros. Without a zero it is the product divided by x; at the only zero of a
        group, the product of the nonzeros; with two zeros or more, 0 (dividing the product by
        x, which is 0 at a zero, is not defined there)."""
        (x,), (g,) = inputs, output_grads
        if x.dtype not in FLOAT_DTYPES:
            return [None]
        one = np.ones((), x.dtype)
        is_zero = cast(eq(x, 0), x.dtype)
        nonzero = switch(is_zero, one, x)
        product = Prod(self.axis, keepdims=True)(nonzero)
        zeros = Sum(self.axis, keepdims=True)(is_zero)
        others = switch(eq(zeros, 0), product / nonzero, product * is_zero * eq(zeros, 1))
        return [self.expand(g, x) * others]


class Max(Reduce):
    """The maximum over ``axis``; the gradient goes to every element equal to it."""
    numpy_function = staticmethod(np.max)
    kernel_workload = "reduce_max"
    kernel_op = "max"

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        if x.dtype not in FLOAT_DTYPES:
            return [None]
        top = type(self)(self.axis, keepdims=True)(x)
        return [self.expand(g, x) * eq(x, top)]


class Min(Max):
    """The minimum over ``axis``; the gradient goes to every element equal to it."""
    numpy_function = staticmethod(np.min)
    kernel_workload = None
    kernel_op = "min"


class Argmax(Reduce):
    """The index (int64) of the first maximum along one axis, or in the flattened x (axis None).

    On a kernel device the registry's ``argmax_warp_row`` computes it along the last axis (or
    over the flattened x); its int32 result is widened by a generated cast kernel."""

    def output_dtype(self, dtype):
        return "int64"

    def device_kernel(self, node):
        x = node.inputs[0]
        if x.dtype not in FLOAT_DTYPES or x.ndim == 0 or self.axis not in (None, (x.ndim - 1,)):
            return None
        return "argmax_warp_row" + ("_f64" if x.dtype == "float64" else "")

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.fusion import Composite, composite_kernel
        from warpbench.graph.math import Cast
        x = inputs[0]
        rows = 1 if self.axis is None else int(np.prod(x.shape[:-1]))
        cols = int(np.prod(x.shape)) if self.axis is None else x.shape[-1]
        if cols == 0:  # as NumPy, even when there is no row to reduce
            raise ShapeError(f"{self}: the argmax of an empty sequence (x has shape {shape_str(x.shape)})")
        shape = self.infer_shape(node, [tuple(x.shape)])[0]
        found = kernel.device.empty(shape, "int32")
        kernel.launch_problem({"rows": rows, "cols": cols, "dtype": np.dtype(x.dtype).name}, {"x": x, "out": found})
        widen = Composite(1, ((Cast("int64"), (("i", 0),), "int64"),))
        output_storage[0][0] = composite_kernel(widen).launch(kernel.device, [found])[0]

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        if self.axis is None:
            found = np.argmax(x.reshape(-1)).reshape((1,) * x.ndim if self.keepdims else ())
        else:
            found = np.argmax(x, axis=self.axis[0], keepdims=self.keepdims)
        output_storage[0][0] = np.asarray(found, dtype=np.int64)

    def grad(self, inputs, output_grads):
        return [None]


def _reduction(op_class, name: str):
    def reduce(x, axis=None, keepdims: bool = False):
        x = as_variable(x)
        return op_class(normalize_axis(f"{name}(axis={axis!r})", x, axis), keepdims)(x)
    reduce.__name__ = name
    reduce.__doc__ = f"Theano's ``{name}(x, axis=None, keepdims=False)``: see {op_class.__name__}."
    return reduce


def _accumulating(op_class, name: str):
    def reduce(x, axis=None, dtype=None, keepdims: bool = False):
        x = as_variable(x)
        axes = normalize_axis(f"{name}(axis={axis!r})", x, axis)
        if dtype is None:
            return op_class(axes, keepdims)(x)
        return cast(op_class(axes, keepdims)(cast(x, dtype)), dtype)  # integers sum in int64
    reduce.__name__ = name
    reduce.__doc__ = (f"Theano's ``{name}(x, axis=None, dtype=None, keepdims=False)``: see {op_class.__name__}; "
                      f"with ``dtype`` the elements are converted to it first, and the result has it.")
    return reduce


sum = _accumulating(Sum, "sum")
prod = _accumulating(Prod, "prod")
max = _reduction(Max, "max")
min = _reduction(Min, "min")


def argmax(x, axis=None, keepdims: bool = False):
    """The index of the first maximum along ``axis`` (an int), or in the flattened x (None)."""
    x = as_variable(x)
    axes = normalize_axis(f"argmax(axis={axis!r})", x, axis)
    if axes is not None and len(axes) != 1:
        raise AxisError(f"argmax(axis={axis!r}): takes one axis (or None for the flattened {x})")
    return Argmax(axes, keepdims)(x)


def _count(x, axes):
    """The number of elements reduced over ``axes`` of x (all by default), as an int64 scalar."""
    return extents_product(x, range(x.ndim) if axes is None else axes)


def mean(x, axis=None, dtype=None, keepdims: bool = False):
    """The mean over ``axis``, computed in ``dtype`` (default x's; float64 for integers, as NumPy)."""
    x = as_variable(x)
    axes = normalize_axis(f"mean(axis={axis!r})", x, axis)
    dtype = dtype or (x.dtype if x.dtype in FLOAT_DTYPES else "float64")
    total = Sum(axes, keepdims)(cast(x, dtype))
    return total / cast(_count(x, axes), total.dtype)


def var(x, axis=None, ddof: int = 0, keepdims: bool = False):
    """The variance over ``axis`` (divided by n - ``ddof``), Theano's ``var``."""
    x = as_variable(x)
    axes = normalize_axis(f"var(axis={axis!r})", x, axis)
    centred = x - mean(x, axes, keepdims=True)
    total = Sum(axes, keepdims)(centred * centred)
    return total / cast(_count(x, axes) - ddof, total.dtype)


def std(x, axis=None, ddof: int = 0, keepdims: bool = False):
    """The standard deviation over ``axis``, ``sqrt(var(...))``."""
    from warpbench.graph.math import sqrt
    return sqrt(var(x, axis, ddof, keepdims))
