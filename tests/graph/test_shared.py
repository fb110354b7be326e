"""Shared variables: values persist, keep their type, live on the device using them, are updated there."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph import AXPBOp, SharedVariable, TensorType, function, shared, vector

from .book import AXPBOp as BookAXPBOp


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


@pytest.fixture
def copies(emu, monkeypatch):
    """Counts of the emu device's host<->device copies, by direction."""
    counts = {"to_device": 0, "to_host": 0}
    for name in counts:
        original = getattr(emu, name)

        def counting(array, _name=name, _original=original):
            counts[_name] += 1
            return _original(array)
        monkeypatch.setattr(emu, name, counting)
    return counts


def _ops(f):
    return [type(node.op).__name__ for node in f.fgraph.toposort()]


def test_a_shared_variable_lives_and_is_updated_on_the_device(copies):
    w = shared(np.arange(3, dtype=np.float32), "w")
    x = vector("x")
    f = function([x], AXPBOp(2, 1)(w) * 3 + x, updates=[(w, AXPBOp(2, 1)(w))], device="emu")
    uploaded = [node.inputs[0] for node in f.fgraph.toposort() if type(node.op).__name__ == "GpuFromHost"]
    assert uploaded == [f.fgraph.inputs[0]]   # the input x; w needs no transfer
    expected = np.arange(3, dtype=np.float32)
    for _ in range(3):
        out = f(np.ones(3, np.float32))
        np.testing.assert_allclose(out, (2 * expected + 1) * 3 + 1)
        expected = 2 * expected + 1
    # w moved once, on the first call; the input x goes up at each of the 3 calls
    assert w.place == "emu" and copies == {"to_device": 1 + 3, "to_host": 0}
    np.testing.assert_array_equal(w.get_value(), expected)


def test_host_nodes_read_a_device_shared_variable_through_one_transfer(emu):
    w = shared(np.arange(4, dtype=np.float32), "w")
    f = function([], [BookAXPBOp(1, 1)(w)], updates=[(w, AXPBOp(3, 0)(w))], device="emu")
    assert _ops(f).count("HostFromGpu") == 1 and "GpuFromHost" not in _ops(f)
    np.testing.assert_array_equal(f()[0], np.arange(4) + 1)
    np.testing.assert_array_equal(f()[0], 3 * np.arange(4) + 1)
    assert w.place == "emu"


def test_an_update_computed_on_the_host_goes_to_the_device(emu):
    w = shared(np.ones(2, np.float32), "w")
    f = function([], AXPBOp(2, 0)(w), updates=[(w, BookAXPBOp(1, 1)(w))], device="emu")
    assert _ops(f)[-1] == "GpuFromHost"
    np.testing.assert_array_equal(f(), [2, 2])
    np.testing.assert_array_equal(f(), [4, 4])
    assert w.place == "emu"


def test_the_value_follows_the_function_that_needs_it(copies):
    w = shared(np.ones(2, np.float32), "w")
    on_emu = function([], [], updates=[(w, AXPBOp(1, 1)(w))], device="emu")
    on_cpu = function([], w * 10, device="cpu")
    on_emu()
    assert w.place == "emu"
    np.testing.assert_array_equal(on_cpu(), [20, 20])
    assert w.place is None and copies == {"to_device": 1, "to_host": 1}
    w.set_value(np.full(2, 5, np.float32))
    on_emu(), on_emu()
    np.testing.assert_array_equal(w.get_value(), [7, 7])
    assert copies == {"to_device": 2, "to_host": 2}  # get_value copies out, leaving the value on emu
    assert w.place == "emu"


def test_a_function_returning_a_device_shared_value_hands_out_a_copy(emu):
    w = shared(np.ones(2, np.float32), "w")
    f = function([], [w, AXPBOp(1, 0)(w)], updates=[(w, w)], device="emu")
    first, second = f()
    first[0] = -1
    np.testing.assert_array_equal(second, [1, 1])
    np.testing.assert_array_equal(w.get_value(), [1, 1])


def test_a_0d_shared_variable_stays_0d_on_the_device(emu):
    s = shared(np.float32(3.0), "s")
    f = function([], AXPBOp(1, 1)(s), updates=[(s, AXPBOp(2, 0)(s))], device="emu")
    assert f().shape == () and s.place == "emu"
    assert s.get_value().shape == () and s.get_value() == 6
