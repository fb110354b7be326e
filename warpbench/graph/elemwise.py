"""Elementwise ops with NumPy broadcasting: each op's forward and backward side by side.

The output has the largest ndim of the inputs and the dtype NumPy gives for the input
dtypes. Each op also gives its C expression (``c_expression``, valid C and CUDA): on a
kernel device every elementwise node, alone or fused with its neighbours into a
``Composite`` (warpbench.graph.fusion), runs one kernel generated from those expressions.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from warpbench.errors import WarpbenchError
from warpbench.graph.basic import Apply, Variable, as_variable
from warpbench.graph.op import MethodNotDefined, Op, output_variable
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

    # -- in C, and on a kernel device --------------------------------------------------

    #: The C operator of a binary op ("+"): its C expression, and how a Composite prints it.
    c_operator: str | None = None

    def c_expression(self, operands: list[str], ctype: str) -> str:
        """The op in C (and CUDA) on ``operands``, names of values already of ``ctype``, the C
        type of the output (``float``, ``double``, ``int``...)."""
        if self.c_operator is None:
            raise MethodNotDefined(f"{type(self).__name__} has no C expression")
        return f"({operands[0]} {self.c_operator} {operands[1]})"

    def c_operand_type(self, ctype: str) -> str:
        """The C type the operands are converted to before ``c_expression``: the output's
        ``ctype``, except for ops whose operands must keep their values (comparisons)."""
        return ctype

    def pretty(self, operands: list[str]) -> str:
        """The op on ``operands`` as a Composite prints it: ``(i0 + i1)``, ``exp(i0)``."""
        if self.c_operator is not None:
            return f"({operands[0]} {self.c_operator} {operands[1]})"
        return f"{type(self).__name__.lower()}({', '.join(operands)})"

    def device_kernel(self, node):
        from warpbench.graph.fusion import elemwise_kernel
        return elemwise_kernel(self, node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.fusion import launch_elemwise
        launch_elemwise(self, node, kernel, inputs, output_storage)


def _c_function(name: str, ctype: str) -> str:
    """The C math function ``name`` for ``ctype``: ``expf`` for float, ``exp`` for double."""
    return f"{name}f" if ctype == "float" else name


def _unbroadcast(g: Variable, inputs, i: int) -> Variable:
    """``g`` summed down to the shape of ``inputs[i]``: the adjoint of broadcasting."""
    from warpbench.graph.reduction import sum_to  # reduction's Fill is an Elemwise
    if all(v.ndim == 0 for j, v in enumerate(inputs) if j != i):
        return g  # next to scalars, inputs[i] already has the output's shape
    return sum_to(g, inputs[i])


class Add(Elemwise):
    """x + y"""
    impl = staticmethod(np.add)
    c_operator = "+"

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        return [_unbroadcast(g, inputs, 0), _unbroadcast(g, inputs, 1)]


class Sub(Elemwise):
    """x - y"""
    impl = staticmethod(np.subtract)
    c_operator = "-"

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        return [_unbroadcast(g, inputs, 0), _unbroadcast(-g, inputs, 1)]


class Mul(Elemwise):
    """x * y"""
    impl = staticmethod(np.multiply)
    c_operator = "*"

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        x, y = inputs
        return [_unbroadcast(g * y, inputs, 0), _unbroadcast(g * x, inputs, 1)]


class TrueDiv(Elemwise):
    """x / y"""
    impl = staticmethod(np.true_divide)
    c_operator = "/"

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

    def c_expression(self, operands, ctype):
        return f"(-{operands[0]})"

    def pretty(self, operands):
        return f"(-{operands[0]})"


class Exp(Elemwise):
    """exp(x)"""
    nin = 1
    impl = staticmethod(np.exp)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g * exp(x)]

    def c_expression(self, operands, ctype):
        return f"{_c_function('exp', ctype)}({operands[0]})"


class Tanh(Elemwise):
    """tanh(x)"""
    nin = 1
    hostcode = "tanh"
    impl = staticmethod(np.tanh)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        t = tanh(x)
        return [g * (1 - t * t)]

    def c_expression(self, operands, ctype):
        return f"{_c_function('tanh', ctype)}({operands[0]})"


class Sigmoid(Elemwise):
    """1 / (1 + exp(-x))"""
    nin = 1
    hostcode = "sigmoid"
    impl = staticmethod(special.expit)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        s = sigmoid(x)
        return [g * s * (1 - s)]

    def c_expression(self, operands, ctype):
        one = f"({ctype})1"
        return f"({one} / ({one} + {_c_function('exp', ctype)}(-{operands[0]})))"


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

    def c_expression(self, operands, ctype):
        x = operands[0]
        return f"(({x} > 0 || {x} != {x}) ? {x} : ({ctype})0)"  # NaN passes, as in np.maximum


class Step(Elemwise):
    """1 where x > 0, else 0 (in x's dtype): relu's derivative. Its own gradient is zero."""
    nin = 1

    def grad(self, inputs, output_grads):
        return [None]

    @staticmethod
    def impl(x):
        return (x > 0).astype(x.dtype)

    def c_expression(self, operands, ctype):
        return f"(({operands[0]} > 0) ? ({ctype})1 : ({ctype})0)"


add, sub, mul, true_div, neg = Add(), Sub(), Mul(), TrueDiv(), Neg()
exp, tanh, sigmoid, relu, step = Exp(), Tanh(), Sigmoid(), Relu(), Step()
