"""Variables, constants, Apply nodes, operators, walks and cloning."""
import numpy as np
import pytest

from warpbench.graph import (Add, Apply, Constant, Mul, TensorType, Variable, as_variable, matrix, scalar,
                             tensor4, vector)
from warpbench.graph.basic import clone, leaves, toposort


def test_constructors():
    for make, ndim in ((scalar, 0), (vector, 1), (matrix, 2), (tensor4, 4)):
        v = make("v")
        assert (v.ndim, v.dtype, v.name, v.owner) == (ndim, "float32", "v", None)
    assert matrix("m", dtype="float64").type == TensorType("float64", 2)


def test_arithmetic_builds_elementwise_nodes():
    x = vector("x")
    y = x * 2 + 4 * x
    assert isinstance(y.owner.op, Add)
    left, right = y.owner.inputs
    assert isinstance(left.owner.op, Mul) and isinstance(right.owner.op, Mul)
    assert left.owner.inputs[0] is x and right.owner.inputs[1] is x  # operand order kept
    two, four = left.owner.inputs[1], right.owner.inputs[0]
    assert isinstance(two, Constant) and two.dtype == "float32" and two.data == 2
    assert four.data == 4 and y.dtype == "float32"


def test_every_operator():
    x = vector("x")
    for expr, op in ((x + 1, "Add"), (1 + x, "Add"), (x - 1, "Sub"), (1 - x, "Sub"), (x * x, "Mul"),
                     (x / 2, "TrueDiv"), (2 / x, "TrueDiv"), (-x, "Neg"), (matrix("m").T, "Transpose"),
                     (matrix("a") @ matrix("b"), "Dot"), (x.sum(), "Sum")):
        assert str(expr.owner.op) == op


def test_numpy_array_on_the_left_defers_to_the_variable():
    x = vector("x")
    y = np.ones(3, np.float32) * x
    assert isinstance(y, Variable) and isinstance(y.owner.op, Mul)


def test_python_numbers_take_the_variables_dtype():
    assert (vector("x", "float32") * 2.5).dtype == "float32"
    assert (vector("i", "int32") * 2).dtype == "int32"
    assert (vector("i", "int32") * 2.5).dtype == "float64"
    with pytest.raises(TypeError, match="cannot make a graph variable"):
        as_variable(object())


def test_strings():
    x = vector("x")
    y = x * 2
    assert str(y) == "Mul.0"
    assert str(y.owner) == "Mul(x, TensorConstant{2.0})"
    assert str(vector()) == "<TensorType(float32, vector)>"
    assert str(as_variable(np.arange(3.0))) == "TensorConstant{[0., 1., 2.]}"
    assert str(as_variable(np.zeros((10, 10)))) == "TensorConstant{float64, shape=10x10}"


def test_constant_is_a_readonly_copy():
    data = np.arange(3.0)
    c = as_variable(data)
    data[0] = 7
    assert c.data[0] == 0 and data.flags.writeable
    assert not c.data.flags.writeable


def test_apply_records_where_it_was_built():
    y = vector("x") * 2
    assert y.owner.trace.startswith("test_basic.py:")


def test_apply_refuses_an_owned_output():
    x = vector("x")
    y = x * 2
    with pytest.raises(ValueError, match="already belongs"):
        Apply(y.owner.op, [x], [y])


def test_toposort_puts_producers_first_and_stops_at_inputs():
    x = vector("x")
    a = x * 2
    b = a + x
    c = b * a
    order = toposort([c])
    assert order == [a.owner, b.owner, c.owner]
    assert toposort([c], stop_at=[b]) == [a.owner, c.owner]
    assert leaves([c]) == [x, a.owner.inputs[1]]
    assert leaves([c], stop_at=[b]) == [x, a.owner.inputs[1], b]


def test_clone_copies_nodes_and_keeps_leaves():
    x = vector("x")
    y = (x * 2).sum()
    (copy,) = clone([y])
    assert copy is not y and copy.owner is not y.owner
    inner = copy.owner.inputs[0]
    assert inner.owner is not y.owner.inputs[0].owner
    assert inner.owner.inputs[0] is x  # leaves are shared, not copied
    assert copy.owner.op == y.owner.op and copy.owner.trace == y.owner.trace
