"""Shared variables: values persist, are copied in and out, and keep their type."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph import SharedVariable, TensorType, function, shared


def test_type_from_value_and_copies():
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    w = shared(value, "w")
    assert isinstance(w, SharedVariable) and w.type == TensorType("float32", 2) and str(w) == "w"
    value[0, 0] = 99
    assert w.get_value()[0, 0] == 0  # shared() copied
    got = w.get_value()
    got[0, 1] = 99
    assert w.get_value()[0, 1] == 1  # get_value copies unless borrow
    assert w.get_value(borrow=True) is w.get_value(borrow=True)


def test_set_value_checks_the_type_and_allows_new_shapes():
    w = shared(np.zeros(3, np.float32), "w")
    w.set_value(np.ones(5, np.float32))
    assert w.get_value().shape == (5,)
    with pytest.raises(DTypeError, match="^shared variable w: needs a float32 vector, got float64 array"):
        w.set_value(np.ones(3))
    with pytest.raises(ShapeError, match="^shared variable w: needs a float32 vector"):
        w.set_value(np.ones((3, 1), np.float32))


def test_functions_read_the_current_value():
    w = shared(np.ones(2), "w")
    f = function([], w * 2, device="cpu")
    np.testing.assert_array_equal(f(), [2, 2])
    w.set_value([5.0, 6.0])
    np.testing.assert_array_equal(f(), [10, 12])
    result = function([], w, device="cpu")()
    result[0] = -1
    assert w.get_value()[0] == 5  # a function returning w hands out a copy
