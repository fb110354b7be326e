"""Theano's remaining elementwise math: ``log1p``, ``expm1``, ``erf``, ``softplus`` (ops with a C
expression, so they fuse into the generated loops and kernels like ``log``), and the helpers
written with existing ops: ``sqr``, ``outer``, ``argmin``, ``abs_`` and ``binary_crossentropy``.
"""
from __future__ import annotations

import numpy as np
from scipy import special as scipy_special

from warpbench.graph.basic import as_variable
from warpbench.graph.elemwise import Elemwise, _c_function, exp, sigmoid
from warpbench.graph.math import abs as abs_  # noqa: F401  Theano's name, re-exported
from warpbench.graph.math import log
from warpbench.graph.reduce_ops import argmax


class Log1p(Elemwise):
    """log(1 + x), exact for small x"""
    nin = 1
    impl = staticmethod(np.log1p)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g / (1 + x)]

    def c_expression(self, operands, ctype):
        return f"{_c_function('log1p', ctype)}({operands[0]})"


class Expm1(Elemwise):
    """exp(x) - 1, exact for small x"""
    nin = 1
    impl = staticmethod(np.expm1)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g * exp(x)]

    def c_expression(self, operands, ctype):
        return f"{_c_function('expm1', ctype)}({operands[0]})"


class Erf(Elemwise):
    """the error function"""
    nin = 1
    impl = staticmethod(scipy_special.erf)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g * (2 / np.sqrt(np.pi)) * exp(-(x * x))]

    def c_expression(self, operands, ctype):
        return f"{_c_function('erf', ctype)}({operands[0]})"


class Softplus(Elemwise):
    """log(1 + exp(x)), without overflow for large x"""
    nin = 1
    impl = staticmethod(lambda x: np.logaddexp(np.zeros((), np.asarray(x).dtype), x))

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g * sigmoid(x)]

    def c_expression(self, operands, ctype):
        x = operands[0]
        log1p, exp_, fabs = (_c_function(f, ctype) for f in ("log1p", "exp", "fabs"))
        # max(x, 0) + log1p(exp(-|x|)): exp never overflows
        return f"(({x}) > ({ctype})0 ? ({x}) : ({ctype})0) + {log1p}({exp_}(-{fabs}({x})))"


log1p, expm1, erf, softplus = Log1p(), Expm1(), Erf(), Softplus()


def sqr(x):
    """x * x (Theano's ``sqr``)."""
    x = as_variable(x)
    return x * x


def outer(a, b):
    """The outer product of two vectors: ``out[i, j] = a[i] * b[j]``."""
    a, b = as_variable(a), as_variable(b)
    return a.dimshuffle(0, "x") * b.dimshuffle("x", 0)


def argmin(x, axis=None, keepdims: bool = False):
    """The index of the first minimum along ``axis`` (an int), or in the flattened x (None)."""
    return argmax(-as_variable(x), axis=axis, keepdims=keepdims)


def binary_crossentropy(output, target):
    """``-(target * log(output) + (1 - target) * log(1 - output))`` elementwise (Theano's
    ``nnet.binary_crossentropy``; ``output`` is a probability, e.g. a sigmoid's)."""
    output, target = as_variable(output), as_variable(target)
    return -(target * log(output) + (1 - target) * log(1 - output))
