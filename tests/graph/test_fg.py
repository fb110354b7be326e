"""FunctionGraph: a graph with a cycle is refused with the nodes on it, instead of hanging."""
import signal

import numpy as np
import pytest

from warpbench.graph import AXPBOp, function, vector
from warpbench.graph.fg import CycleError, FunctionGraph, check_acyclic


@pytest.fixture
def no_hang():
    """Fail instead of hanging when a walk loops forever on the cycle."""
    def stop(signum, frame):
        raise AssertionError("the walk over a graph with a cycle did not stop")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 10)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def two_node_cycle():
    """x -> a = AXPBOp(2, 0)(x) -> b = a * 3, then a's node rewired to read b."""
    x = vector("x")
    a = AXPBOp(2, 0)(x)
    b = a * 3
    a.owner.inputs[0] = b
    return x, a, b


def test_function_on_a_cycle_names_its_nodes(no_hang):
    x, a, b = two_node_cycle()
    with pytest.raises(CycleError) as info:
        function([x], b, device="cpu")
    message = str(info.value)
    assert len(message.splitlines()) == 1
    # In data-flow order, back to the first node.
    assert message == (f"the graph has a cycle, so no node order exists: {a.owner} (built at {a.owner.trace}) -> "
                       f"{b.owner} (built at {b.owner.trace}) -> {a.owner}")
    assert a.owner.trace.startswith("test_fg.py:") and str(a.owner) == "AXPBOp{a=2, b=0}(Mul.0)"

def test_node_reading_its_own_output(no_hang):
    x = vector("x")
    y = AXPBOp(2, 0)(x)
    y.owner.inputs[0] = y
    with pytest.raises(CycleError, match=r"AXPBOp\{a=2, b=0\}\(AXPBOp\{a=2, b=0\}\.0\) \(built at .*\) -> "
                                         r"AXPBOp\{a=2, b=0\}\(AXPBOp\{a=2, b=0\}\.0\)$"):
        FunctionGraph([x], [y * 2])


def test_cycle_above_an_input_is_cut_there(no_hang):
    x, a, b = two_node_cycle()
    f = function([a], b, device="cpu")  # a is given: the loop through it is never walked
    np.testing.assert_allclose(f(np.array([1.0, 2.0], np.float32)), [3.0, 6.0])


def test_shared_subgraphs_are_no_cycle(no_hang):
    x = vector("x")
    a = AXPBOp(2, 0)(x)
    check_acyclic([a + a * a, a * 2])
    f = function([x], [a + a * a, a * 2], device="cpu")
    np.testing.assert_allclose(f(np.array([1.0], np.float32))[0], [6.0])
