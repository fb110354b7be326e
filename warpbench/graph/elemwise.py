"""Elementwise ops with NumPy broadcasting: each op's forward and backward side by side.

The output has the largest ndim of the inputs and the dtype NumPy gives for the input
dtypes. On a kernel device, the scalar-affine forms ``x * c``, ``x + c``, ``x - c``,
``c - x`` and ``-x`` run the registry's axpb kernel (``a * x + b``); the other forms
have no kernel yet and stay on the host.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from warpbench.errors import WarpbenchError
from warpbench.graph.axpb import AXPB_KERNELS, launch_axpb
from warpbench.graph.basic import Apply, Constant, Variable, as_variable
from warpbench.graph.op import MethodNotDefined, Op, output_variable
from warpbench.graph.reduction import sum_to
from warpbench.graph.type import FLOAT_DTYPES, broadcast_shape


class Elemwise(Op):
    """Base of the elementwise ops: subclasses give ``nin`` and ``impl`` (a NumPy function)."""

    __props__ = ()
    nin = 2
    #: Name of the ``hostcode.elementwise`` function computing this op, if there is one.
    hostcode: str | None = None

    @classmethod
    def impl(cls, *arrays):
        """The NumPy function of the op; every concrete subclass defines it."""
        raise MethodNotDefined(f"{cls.__name__} does not define impl")

    def make_node(self, *inputs):
        if len(inputs) != self.nin:
            raise WarpbenchError(f"{self} takes {self.nin} input(s), got {len(inputs)}")
        like = next((i for i in inputs if isinstance(i, Variable)), None)
        variables = [as_variable(i, like) for i in inputs]
        with np.errstate(all="ignore"):  # a dtype probe: the values do not matter
            dtype = self.impl(*(np.ones(1, v.dtype) for v in variables)).dtype
        return Apply(self, variables, [output_variable(variables, dtype, max(v.ndim for v in variables))])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.asarray(self.impl(*inputs), dtype=node.outputs[0].dtype)

    def perform_host(self, node, inputs, output_storage):
        if self.hostcode is None or node.outputs[0].dtype not in FLOAT_DTYPES:
            return self.perform(node, inputs, output_storage)
        from warpbench.hostcode import elementwise
        output_storage[0][0] = getattr(elementwise, self.hostcode)(inputs[0])

    def infer_shape(self, node, input_shapes):
        return [broadcast_shape(input_shapes)]

    # -- on a kernel device: a * x + b -------------------------------------------------

    def affine_form(self, node) -> tuple[float, float, int] | None:
        """(a, b, i) when the node computes ``a * inputs[i] + b`` with scalar constants."""
        return None

    def device_kernel(self, node):
        form = self.affine_form(node)
        out = node.outputs[0]
        if form is None or node.inputs[form[2]].type != out.type:
            return None  # no kernel, or a dtype change (int x * 2.5) the kernel cannot do
        return AXPB_KERNELS.get(out.dtype)

    def perform_device(self, node, kernel, inputs, output_storage):
        a, b, i = self.affine_form(node)
        output_storage[0][0] = launch_axpb(kernel, inputs[i], a, b)


def _scalar_constant(var) -> float | None:
    """The value of a 0-d constant, else None."""
    return float(var.data) if isinstance(var, Constant) and var.ndim == 0 else None


def _with_scalar(node) -> tuple[float, int] | None:
    """(c, i) when one input is a scalar constant c and the other, inputs[i], is not."""
    x, y = node.inputs
    cx, cy = _scalar_constant(x), _scalar_constant(y)
    if cy is not None and not isinstance(x, Constant):
        return cy, 0
    if cx is not None and not isinstance(y, Constant):
        return cx, 1
    return None


def _unbroadcast(g: Variable, inputs, i: int) -> Variable:
    """``g`` summed down to the shape of ``inputs[i]``: the adjoint of broadcasting."""
    if all(v.ndim == 0 for j, v in enumerate(inputs) if j != i):
        return g  # next to scalars, inputs[i] already has the output's shape
    return sum_to(g, inputs[i])


class Add(Elemwise):
    """x + y"""
    impl = staticmethod(np.add)

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        return [_unbroadcast(g, inputs, 0), _unbroadcast(g, inputs, 1)]

    def affine_form(self, node):
        found = _with_scalar(node)
        return None if found is None else (1.0, found[0], found[1])


class Sub(Elemwise):
    """x - y"""
    impl = staticmethod(np.subtract)

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        return [_unbroadcast(g, inputs, 0), _unbroadcast(-g, inputs, 1)]

    def affine_form(self, node):
        found = _with_scalar(node)
        if found is None:
            return None
        c, i = found
        return (1.0, -c, 0) if i == 0 else (-1.0, c, 1)


class Mul(Elemwise):
    """x * y"""
    impl = staticmethod(np.multiply)

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        x, y = inputs
        return [_unbroadcast(g * y, inputs, 0), _unbroadcast(g * x, inputs, 1)]

    def affine_form(self, node):
        found = _with_scalar(node)
        return None if found is None else (found[0], 0.0, found[1])


class TrueDiv(Elemwise):
    """x / y"""
    impl = staticmethod(np.true_divide)

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        x, y = inputs
        return [_unbroadcast(g / y, inputs, 0), _unbroadcast(-(g * x) / (y * y), inputs, 1)]


class Neg(Elemwise):
    """-x"""
    nin = 1
    impl = staticmethod(np.negative)

    def grad(self, inputs, output_grads):
        return [-output_grads[0]]

    def affine_form(self, node):
        return -1.0, 0.0, 0


class Exp(Elemwise):
    """exp(x)"""
    nin = 1
    impl = staticmethod(np.exp)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g * exp(x)]


class Tanh(Elemwise):
    """tanh(x)"""
    nin = 1
    hostcode = "tanh"
    impl = staticmethod(np.tanh)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        t = tanh(x)
        return [g * (1 - t * t)]


class Sigmoid(Elemwise):
    """1 / (1 + exp(-x))"""
    nin = 1
    hostcode = "sigmoid"
    impl = staticmethod(special.expit)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        s = sigmoid(x)
        return [g * s * (1 - s)]


class Relu(Elemwise):
    """max(x, 0)"""
    nin = 1
    hostcode = "relu"

    @staticmethod
    def impl(x):
        return np.maximum(x, 0)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g * step(x)]


class Step(Elemwise):
    """1 where x > 0, else 0 (in x's dtype): relu's derivative. It has no gradient itself."""
    nin = 1

    @staticmethod
    def impl(x):
        return (x > 0).astype(x.dtype)


add, sub, mul, true_div, neg = Add(), Sub(), Mul(), TrueDiv(), Neg()
exp, tanh, sigmoid, relu, step = Exp(), Tanh(), Sigmoid(), Relu(), Step()
