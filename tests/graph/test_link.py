"""Linking and the Loop VM: storage cells, NVTX ranges, error reporting, kernels per node."""
import contextlib

import numpy as np
import pytest

from warpbench import trace
from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph import AXPBOp, Apply, Op, function, matrix, shared, vector
from warpbench.graph import link
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.link import map_storage, node_error


def test_storage_cells():
    x = vector("x")
    w = shared(np.ones(2, np.float32), "w")
    fg = FunctionGraph([x], [x * 2 + w])
    order = fg.toposort()
    storage = map_storage(fg, order)
    two = order[0].inputs[1]
    assert storage[two] == [two.data]
    assert storage[w] is w.container  # set_value is seen by every function using w
    assert storage[x] == [None] and storage[fg.outputs[0]] == [None]


def test_every_node_runs_in_nvtx_ranges_named_after_its_op(monkeypatch):
    seen = []

    @contextlib.contextmanager
    def recording(node, index):
        seen.append((trace.node_range_names(node), index))
        yield

    monkeypatch.setattr(link, "node_range", recording)
    x = vector("x")
    f = function([x], AXPBOp(4, 5)(x) * 2, device="cpu")
    f([1.0])
    assert seen == [(("AXPBOp", "a=4,b=5"), 0), (("Mul",), 1)]


class Broken(Op):
    """An op whose perform fails the way a bug would."""
    __props__ = ("error",)

    def __init__(self, error):
        self.error = error

    def make_node(self, x):
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        raise self.error("first line\nsecond line")


@pytest.mark.parametrize("raised, expected", [(ValueError, ShapeError), (IndexError, ShapeError),
                                              (TypeError, DTypeError), (ShapeError, ShapeError)])
def test_failures_become_one_line_warpbench_errors(raised, expected):
    x = vector("x")
    f = function([x], Broken(raised)(x), device="cpu")
    with pytest.raises(expected) as info:
        f([1.0, 2.0])
    assert type(info.value) is expected
    assert str(info.value).startswith(f"Broken{{error={raised!r}}}(x) [toposort index 0, on cpu, built at ")
    assert str(info.value).endswith(": first line; inputs: x float32 array of shape 2")


def test_other_failures_keep_their_type_with_a_note():
    x = vector("x")
    f = function([x], Broken(ZeroDivisionError)(x), device="cpu")
    with pytest.raises(ZeroDivisionError) as info:
        f([1.0])
    assert any("while running Broken" in note for note in info.value.__notes__)


def test_node_error_without_values():
    node = (matrix("m").T).owner
    error = node_error(node, None, None, ShapeError("bad"))
    assert str(error).startswith("Transpose(m) [on cpu, built at test_link.py:")
    assert str(error).endswith("]: bad")


def test_constant_folding_failures_name_the_node():
    from warpbench.graph import Constant, TensorType
    a = Constant(TensorType("float32", 1), np.zeros(3, np.float32))
    b = Constant(TensorType("float32", 1), np.zeros(4, np.float32))
    with pytest.raises(ShapeError, match=r"^Add\(TensorConstant\{\[0\., 0\., 0\.\]\}, .*cannot broadcast"):
        function([], a + b, device="cpu")


def test_kernels_are_compiled_once_at_link_time(emu):
    x = vector("x")
    f = function([x], AXPBOp(4, 5)(x) + 1, device="emu")
    kernels = [step.kernel.name if step.kernel else None for step in f.vm.steps]
    assert kernels == [None, "axpb_f32", "axpb_f32", None]
    np.testing.assert_allclose(f(np.arange(5, dtype=np.float32)), 4 * np.arange(5) + 6)


def test_shape_errors_in_a_lifted_graph_name_the_node(emu):
    x, y = matrix("x"), matrix("y")
    f = function([x, y], x.T + y, device="emu")
    with pytest.raises(ShapeError, match=r"^Add\(HostFromGpu\.0, y\) \[toposort index 3, on cpu"):
        f(np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32))


def test_warpbench_errors_keep_their_class_and_fields():
    class Fault(ShapeError):
        def __init__(self, message, *, kernel):
            super().__init__(message)
            self.kernel = kernel

    class Faulty(Broken):
        def perform(self, node, inputs, output_storage):
            raise Fault("kernel fault in block 0", kernel="k")

    x = vector("x")
    with pytest.raises(Fault) as info:
        function([x], Faulty(None)(x), device="cpu")([1.0])
    assert info.value.kernel == "k"
    assert str(info.value).startswith("Faulty{error=None}(x) [toposort index 0, on cpu")
    assert "kernel fault in block 0; inputs: x float32 array of shape 1" in str(info.value)


class Forgetful(Op):
    """An op whose perform forgets one of its outputs."""
    __props__ = ("forgotten",)

    def __init__(self, forgotten):
        self.forgotten = forgotten

    def make_node(self, x):
        return Apply(self, [x], [x.type(), x.type()])

    def perform(self, node, inputs, output_storage):
        for index, cell in enumerate(output_storage):
            if index != self.forgotten:
                cell[0] = inputs[0] * 2


def test_an_unset_output_names_the_op_not_the_next_node():
    x = vector("x")
    first, second = Forgetful(1)(x)
    f = function([x], [first + 1, second * 2], device="cpu")
    with pytest.raises(WarpbenchError) as info:
        f(np.ones(3, np.float32))
    message = str(info.value)
    assert message.startswith("Forgetful{forgotten=1}(x) [toposort index 0, on cpu, built at test_link.py:")
    assert "Forgetful.perform set no value for output 1 (Forgetful{forgotten=1}.1)" in message
    assert message.endswith("; inputs: x float32 array of shape 3")


def test_an_unset_last_output_is_no_silent_none():
    x = vector("x")
    f = function([x], Forgetful(0)(x)[0], device="cpu")
    with pytest.raises(WarpbenchError, match=r"Forgetful.perform set no value for output 0 "):
        f(np.ones(2, np.float32))


def test_a_value_from_the_previous_call_does_not_hide_an_unset_output():
    class ForgetsOnTheSecondCall(Forgetful):
        calls = 0

        def perform(self, node, inputs, output_storage):
            type(self).calls += 1
            output_storage[0][0] = inputs[0]
            if self.calls == 1:
                output_storage[1][0] = inputs[0]

    x = vector("x")
    first, unused = ForgetsOnTheSecondCall(None)(x)
    f = function([x], first, device="cpu")
    f(np.ones(2, np.float32))
    with pytest.raises(WarpbenchError, match=r"ForgetsOnTheSecondCall.perform set no value for output 1"):
        f(np.ones(2, np.float32))


def test_an_unset_output_while_constant_folding_names_the_op():
    from warpbench.graph import constant
    with pytest.raises(WarpbenchError, match=r"^Forgetful\{forgotten=0\}\(TensorConstant\{\[1\., 2\.\]\}\) \[on cpu.*"
                                             r"Forgetful.perform set no value for output 0"):
        function([], Forgetful(0)(constant(np.array([1.0, 2.0], np.float32)))[1], device="cpu")
