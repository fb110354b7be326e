"""scan_save_mem: backpropagation through time keeps two rows of each weight-sized gradient."""
import numpy as np

from warpbench.graph import dot, function, grad, iscalar
from warpbench.graph.scan import scan
from warpbench.graph.scan_op import Scan
from tests.graph.test_scan import rnn, rnn_inputs, rnn_points


def scans(fn):
    return [node for node in fn.fgraph.toposort() if isinstance(node.op, Scan)]


def test_the_gradient_loop_keeps_only_the_last_row_of_its_accumulators():
    inputs, points = rnn_inputs(), rnn_points()
    cost = (rnn(*inputs) ** 2).sum()
    saving = function(inputs, grad(cost, inputs[1:]))
    forward, backward = sorted(scans(saving), key=lambda node: node.op.reverse)
    assert forward.op.last_only == (False,), "the forward history is read at every row"
    assert all(backward.op.last_only[len(backward.op.recurrent) - 4:]), backward.op.last_only
    keeping = function(inputs, grad(cost, inputs[1:]), excluding=("scan_save_mem",))
    assert not any(any(node.op.last_only) for node in scans(keeping))
    for got, want in zip(saving(*points), keeping(*points)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_a_history_that_is_an_output_or_read_elsewhere_keeps_every_row():
    inputs, points = rnn_inputs(), rnn_points()
    h = rnn(*inputs)
    fn = function(inputs, [h[-1], h])
    assert scans(fn)[0].op.last_only == (False,)
    last, history = fn(*points)
    np.testing.assert_array_equal(last, history[-1])


def test_a_last_row_only_loop_of_zero_steps_returns_the_initial_state():
    _, _, U, _, h0 = rnn_inputs()
    n = iscalar("n")
    h, _ = scan(lambda h_prev, U: dot(h_prev, U), outputs_info=h0, non_sequences=U, n_steps=n)
    history = h.owner.inputs[0]   # scan shows rows 1..n of its history (row 0 is h0)
    fn = function([h0, U, n], history[-1])
    assert scans(fn)[0].op.last_only == (True,)
    h0_value, U_value = rnn_points()[4], rnn_points()[2]
    np.testing.assert_array_equal(fn(h0_value, U_value, 0), h0_value)
    np.testing.assert_allclose(fn(h0_value, U_value, 3), h0_value @ U_value @ U_value @ U_value, rtol=1e-12)
