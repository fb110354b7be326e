"""Elementwise math beyond arithmetic, with Theano's names: ``log``, ``sqrt``, ``pow`` (``**``),
``maximum``, ``minimum``, ``abs``/``sgn``, ``clip``, the comparisons, ``switch`` and ``cast``.

Each op is an :class:`~warpbench.graph.elemwise.Elemwise` with a NumPy ``impl`` and a C
expression, so on a kernel device it fuses with its neighbours into one generated kernel.
Comparisons give int8 (0 or 1), Theano's classic dtype: it has a C type, so a mask such as
``x * (x > 0)`` stays inside one fused kernel (NumPy's bool does not fuse). ``==`` and ``!=``
keep Python's identity meaning on variables (graphs use them as dict keys): write ``eq``/``neq``.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError
from warpbench.graph.basic import as_variable
from warpbench.graph.elemwise import Elemwise, _c_function, _unbroadcast
from warpbench.graph.type import FLOAT_DTYPES


class Log(Elemwise):
    """log(x)"""
    nin = 1
    impl = staticmethod(np.log)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g / x]

    def c_expression(self, operands, ctype):
        return f"{_c_function('log', ctype)}({operands[0]})"


class Sqrt(Elemwise):
    """sqrt(x)"""
    nin = 1
    impl = staticmethod(np.sqrt)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g / (2 * sqrt(x))]

    def c_expression(self, operands, ctype):
        return f"{_c_function('sqrt', ctype)}({operands[0]})"


class Pow(Elemwise):
    """x ** y"""
    impl = staticmethod(np.power)

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        x, y = inputs
        gx = g * y * pow(x, y - 1)
        gy = g * pow(x, y) * log(x) if g.dtype in FLOAT_DTYPES else None
        return [_unbroadcast(gx, inputs, 0), None if gy is None else _unbroadcast(gy, inputs, 1)]

    def c_expression(self, operands, ctype):
        a, b = operands
        if ctype in ("float", "double"):
            return f"{_c_function('pow', ctype)}({a}, {b})"
        return f"(({ctype})pow((double){a}, (double){b}))"

    def pretty(self, operands):
        return f"({operands[0]} ** {operands[1]})"


class Maximum(Elemwise):
    """The larger of x and y, NaN if either is (np.maximum); a tie sends the gradient to x."""
    impl = staticmethod(np.maximum)

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        x, y = inputs
        return [_unbroadcast(g * ge(x, y), inputs, 0), _unbroadcast(g * lt(x, y), inputs, 1)]

    def c_expression(self, operands, ctype):
        a, b = operands
        return f"(({a} > {b} || {a} != {a}) ? {a} : {b})"


class Minimum(Elemwise):
    """The smaller of x and y, NaN if either is (np.minimum); a tie sends the gradient to x."""
    impl = staticmethod(np.minimum)

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        x, y = inputs
        return [_unbroadcast(g * le(x, y), inputs, 0), _unbroadcast(g * gt(x, y), inputs, 1)]

    def c_expression(self, operands, ctype):
        a, b = operands
        return f"(({a} < {b} || {a} != {a}) ? {a} : {b})"


class Abs(Elemwise):
    """|x|"""
    nin = 1
    impl = staticmethod(np.abs)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g * sgn(x)]

    def c_expression(self, operands, ctype):
        x = operands[0]
        return f"(({x} < 0) ? -{x} : {x})"


class Sgn(Elemwise):
    """-1, 0 or 1 by the sign of x (Theano's ``sgn``); its gradient is zero."""
    nin = 1
    impl = staticmethod(np.sign)

    def grad(self, inputs, output_grads):
        return [None]

    def c_expression(self, operands, ctype):
        x = operands[0]
        return f"(({x} > 0) ? ({ctype})1 : (({x} < 0) ? ({ctype})-1 : {x}))"  # keeps 0 and NaN


class Clip(Elemwise):
    """x limited to [lo, hi] (np.clip); the gradient flows to x inside, to the bound outside."""
    nin = 3
    impl = staticmethod(np.clip)

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        x, lo, hi = inputs
        inside = ge(x, lo) * le(x, hi)
        return [_unbroadcast(g * inside, inputs, 0), _unbroadcast(g * lt(x, lo), inputs, 1),
                _unbroadcast(g * gt(x, hi), inputs, 2)]

    def c_expression(self, operands, ctype):
        x, lo, hi = operands
        return f"(({x} < {lo}) ? {lo} : (({x} > {hi}) ? {hi} : {x}))"


class Compare(Elemwise):
    """Base of the comparisons: 1 where ``x <c_operator> y`` holds, else 0, as int8."""
    numpy_function = None

    def impl(self, x, y):
        return type(self).numpy_function(x, y).astype(np.int8)

    def c_operand_type(self, ctype):
        # The output type (signed char) would truncate the operands: compare in double.
        return "double"

    def c_expression(self, operands, ctype):
        return f"(({ctype})({operands[0]} {self.c_operator} {operands[1]}))"

    def grad(self, inputs, output_grads):
        return [None, None]


def _comparison(name: str, function, operator: str) -> type:
    return type(name, (Compare,), {"__doc__": f"x {operator} y, as int8 0/1",
                                   "numpy_function": staticmethod(function), "c_operator": operator})


LT = _comparison("LT", np.less, "<")
GT = _comparison("GT", np.greater, ">")
LE = _comparison("LE", np.less_equal, "<=")
GE = _comparison("GE", np.greater_equal, ">=")
EQ = _comparison("EQ", np.equal, "==")
NEQ = _comparison("NEQ", np.not_equal, "!=")


class Switch(Elemwise):
    """ift where cond is nonzero, else iff (np.where); cond gets no gradient."""
    nin = 3

    @staticmethod
    def impl(cond, ift, iff):
        return np.where(cond != 0, ift, iff)

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        cond = inputs[0]
        zero = np.zeros((), g.dtype)
        return [None, _unbroadcast(switch(cond, g, zero), inputs, 1), _unbroadcast(switch(cond, zero, g), inputs, 2)]

    def c_expression(self, operands, ctype):
        cond, ift, iff = operands
        return f"(({cond} != 0) ? {ift} : {iff})"


class Cast(Elemwise):
    """x converted to ``dtype`` as NumPy's ``astype`` does (floats to ints truncate)."""
    nin = 1
    __props__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype).name

    def __str__(self):
        return f"Cast{{{self.dtype}}}"

    def impl(self, x):
        return np.asarray(x).astype(self.dtype)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [cast(g, x.dtype) if x.dtype in FLOAT_DTYPES and g.dtype in FLOAT_DTYPES else None]

    def c_expression(self, operands, ctype):
        return f"(({ctype}){operands[0]})"  # the operand is already converted to the output type

    def pretty(self, operands):
        return f"cast_{self.dtype}({operands[0]})"


log, sqrt, pow, maximum, minimum = Log(), Sqrt(), Pow(), Maximum(), Minimum()
sgn, clip, switch = Sgn(), Clip(), Switch()
lt, gt, le, ge, eq, neq = LT(), GT(), LE(), GE(), EQ(), NEQ()
_abs = Abs()


def abs(x):
    """|x| elementwise (Theano's ``abs_``; ``abs(x)`` on a variable gives the same)."""
    return _abs(x)


def cast(x, dtype):
    """``x`` as ``dtype`` (Theano's ``cast``); the variable itself when it already is."""
    try:
        dtype = np.dtype(dtype).name
    except TypeError:
        raise DTypeError(f"cast: {dtype!r} is not a dtype") from None
    x = as_variable(x)
    return x if x.dtype == dtype else Cast(dtype)(x)
