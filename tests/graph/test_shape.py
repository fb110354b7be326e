"""Symbolic shapes: x.shape, x.shape[i], shapes learnt from infer_shape, and its check."""
import numpy as np
import pytest

from warpbench.errors import ShapeError, WarpbenchError
from warpbench.graph import Apply, Op, as_variable, dot, function, grad, matrix, scalar, shared, tensor, vector
from warpbench.graph.shape import InferredShape, ShapedZeros, ShapeIndexError

from .book import AXPBOp


class Counting(AXPBOp):
    """The book's AXPBOp, counting how often its perform runs."""

    runs = 0

    def perform(self, node, inputs, output_storage):
        type(self).runs += 1
        super().perform(node, inputs, output_storage)


@pytest.fixture
def counting():
    Counting.runs = 0
    return Counting


def _ops(f):
    return [type(node.op).__name__ for node in f.fgraph.toposort()]


def test_shape_and_extents_of_an_input():
    x = tensor("x", "float32", 3)
    f = function([x], [x.shape, x.shape[0], x.shape[-1] * 2, x.shape[1] + x.shape[2]], device="cpu")
    shape, first, last_twice, total = f(np.zeros((2, 3, 5), np.float32))
    np.testing.assert_array_equal(shape, [2, 3, 5])
    assert shape.dtype == np.int64 and first.shape == () and int(first) == 2
    assert int(last_twice) == 10 and int(total) == 8
    assert len(x.shape) == 3 and [str(v) for v in x.shape] == ["Shape_i{0}.0", "Shape_i{1}.0", "Shape_i{2}.0"]


def test_a_bad_extent_index_is_one_line():
    x = matrix("x")
    with pytest.raises(ShapeIndexError, match=r"^x.shape\[2\]: x has 2 dimension\(s\)$"):
        x.shape[2]
    with pytest.raises(WarpbenchError, match="a shape takes an integer index"):
        x.shape[0:1]


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_the_shape_of_a_result_runs_no_op(counting, device, request):
    if device == "emu":
        request.getfixturevalue("emu")
    x, w = matrix("x"), matrix("w")
    y = dot(counting(4, 5)(x), w.T)
    f = function([x, w], [y.shape, y.shape[1]], device=device)
    assert _ops(f) == ["InferredShape", "InferredShape"]
    shape, columns = f(np.ones((3, 4), np.float32), np.ones((6, 4), np.float32))
    np.testing.assert_array_equal(shape, [3, 6])
    assert int(columns) == 6 and counting.runs == 0


def test_the_walk_stops_above_an_op_without_infer_shape(counting):
    class NoInfer(Op):
        def make_node(self, x):
            x = as_variable(x)
            return Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0][:2]  # a shape only running tells

    x = vector("x")
    f = function([x], counting(1, 0)(NoInfer()(counting(2, 0)(x))).shape, device="cpu")
    assert _ops(f) == ["Counting", "NoInfer", "InferredShape"]
    np.testing.assert_array_equal(f(np.ones(5, np.float32)), [2])
    assert counting.runs == 1  # the op below NoInfer ran, the one above did not


def test_shapes_of_constants_are_folded_and_of_shared_values_follow_set_value():
    w = shared(np.zeros((2, 3), np.float32), name="w")
    f = function([], (AXPBOp(1, 1)(w)).shape, device="cpu")
    np.testing.assert_array_equal(f(), [2, 3])
    w.set_value(np.zeros((4, 1), np.float32))
    np.testing.assert_array_equal(f(), [4, 1])
    c = as_variable(np.zeros((5, 7)))
    assert _ops(function([], AXPBOp(1, 1)(c).shape, device="cpu")) == []


def test_the_gradient_does_not_run_an_op_to_learn_a_shape(counting):
    x = matrix("x")
    f = function([x], grad(counting(4, 5)(x).sum(), x), device="cpu")
    assert "ShapedZeros" in _ops(f) and "Counting" not in _ops(f)
    np.testing.assert_array_equal(f(np.ones((2, 3), np.float32)), np.full((2, 3), 4))
    assert counting.runs == 0
    v = vector("v")
    g = function([x, v], grad((counting(2, 0)(x) + v).sum(), v), device="cpu")  # SumTo's like
    np.testing.assert_array_equal(g(np.ones((4, 3), np.float32), np.ones(3, np.float32)), [4, 4, 4])
    assert counting.runs == 0


def test_a_reshape_to_symbolic_extents_in_a_gradient_runs_nothing_above_it(counting):
    """The extents x.shape[0] * x.shape[1] are worked out from shapes, not by computing x."""
    from warpbench.graph import reshape
    x, w = tensor("x", "float32", 3), matrix("w")
    h = counting(2, 0)(x)
    rows = reshape(h, (h.shape[0] * h.shape[1], h.shape[2]))
    f = function([x, w], grad(dot(rows, w).sum(), w), device="cpu")
    values = np.ones((2, 3, 4), np.float32)
    np.testing.assert_array_equal(f(values, np.ones((4, 5), np.float32)), np.full((4, 5), 12))
    assert counting.runs == 1  # the forward value the gradient needs, none for a stand-in's shape
    f(values, np.ones((4, 5), np.float32))
    assert counting.runs == 2


def test_a_shaped_zeros_stand_in_holds_no_memory():
    x = matrix("x")
    stand_in = ShapedZeros(AXPBOp(1, 1)(x), [x])
    cells = [[None]]
    stand_in.perform(None, [np.ones((1000, 1000), np.float32)], cells)
    assert cells[0][0].shape == (1000, 1000) and cells[0][0].strides == (0, 0)
    assert isinstance(InferredShape(x.T, [x]), InferredShape)


class WrongShape(AXPBOp):
    """The book's op with an infer_shape that swaps the axes."""

    def infer_shape(self, node, i0_shapes):
        return [tuple(reversed(i0_shapes[0]))]


def test_a_wrong_infer_shape_is_reported_when_the_node_runs():
    x = matrix("x")
    f = function([x], WrongShape(4, 5)(x), device="cpu")
    with pytest.raises(ShapeError, match=r"^WrongShape\{a=4, b=5\}\(x\) \[toposort index 0, on cpu, .*\]: "
                                         r"WrongShape.infer_shape is wrong for output 0 \(WrongShape\{a=4, b=5\}.0\): "
                                         r"it gave 3x2, the node computed 2x3; inputs: x float32 array of shape 2x3$"):
        f(np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(f(np.zeros((3, 3), np.float32)), np.full((3, 3), 5))  # square: right


@pytest.mark.parametrize("expression", [lambda s: s * 2, lambda s: (s * 2).sum(), lambda s: -s + 1])
def test_a_0d_result_through_a_device_node_stays_0d(emu, expression):
    s = scalar("s")
    f = function([s], expression(s), device="emu")
    assert any(node.outputs[0].type.device == "emu" for node in f.fgraph.toposort())
    result = f(3.0)
    assert isinstance(result, np.ndarray) and result.shape == () and result.dtype == np.float32
    np.testing.assert_allclose(result, function([s], expression(s), device="cpu")(3.0))


def test_a_variable_given_as_a_value_is_named_not_measured():
    x = vector("x")
    with pytest.raises(WarpbenchError, match=r"input 0 \(x\) needs a float32 vector, got Variable x$"):
        function([x], x * 2, device="cpu")(x)
