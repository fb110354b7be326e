"""Linking and the Loop VM: storage cells, NVTX ranges, error reporting, kernels per node."""
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


class RecordingRange:
    """A stand-in for trace.NvtxRange that logs what it is made for and every push and pop."""

    def __init__(self, log, node, index):
        name = trace.node_range_names(node)
        log.append(("made", name, index))
        self.push = lambda: log.append(("push", name))
        self.pop = lambda: log.append(("pop", name))

    def __enter__(self):
        self.push()

    def __exit__(self, *exc):
        self.pop()


@pytest.mark.parametrize("shapes", [[(1,), (1,)], [(1,), (3,)]], ids=["fast path", "shape check each call"])
def test_every_node_runs_in_nvtx_ranges_made_at_link_time_named_after_its_op(monkeypatch, shapes):
    log = []
    monkeypatch.setattr(link, "node_range", lambda node, index: RecordingRange(log, node, index))
    x = vector("x")
    f = function([x], AXPBOp(4, 5)(x) * 2, device="cpu", excluding=("fusion",))
    first, second = ("AXPBOp", "a=4,b=5"), ("Mul",)
    assert log == [("made", first, 0), ("made", second, 1)]
    for shape in shapes:
        log.clear()
        f(np.ones(shape, np.float32))
        assert log == [("push", first), ("pop", first), ("push", second), ("pop", second)]


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
    assert kernels == [None, "axpb_f32", "elemwise_add", None]
    np.testing.assert_allclose(f(np.arange(5, dtype=np.float32)), 4 * np.arange(5) + 6)


def test_shape_errors_in_a_lifted_graph_name_the_node(emu):
    x, y = matrix("x"), matrix("y")
    f = function([x, y], x.T + y, device="emu")
    with pytest.raises(ShapeError, match=r"^GpuElemwise\{Add\}\(Transpose\.0, GpuFromHost<emu>\.0\) "
                                         r"\[toposort index 3, on emu"):
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


def test_new_leaf_shapes_are_checked_again():
    x, y = vector("x"), vector("y")
    f = function([x, y], (x + y) * 2, device="cpu", excluding=("fusion",))
    np.testing.assert_array_equal(f(np.ones(3, np.float32), np.ones(3, np.float32)), [4, 4, 4])
    assert not any(step.checked for step in f.vm.steps)  # the next call with these shapes takes the fast path
    np.testing.assert_array_equal(f(np.ones(3, np.float32), np.ones(3, np.float32)), [4, 4, 4])
    with pytest.raises(ShapeError, match=r"^Add\(x, y\) \[toposort index 0, on cpu.*cannot broadcast input shapes 3, 4"):
        f(np.ones(3, np.float32), np.ones(4, np.float32))
    np.testing.assert_array_equal(f(np.ones(2, np.float32), np.ones(2, np.float32)), [4, 4])


class Positive(Op):
    """The positive elements of a vector: an output shape that depends on the values."""
    __props__ = ()

    def make_node(self, x):
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0][inputs[0] > 0]


def test_nodes_after_an_op_without_infer_shape_keep_their_check():
    x, y = vector("x"), vector("y")
    f = function([x, y], Positive()(x) + y, device="cpu")
    np.testing.assert_array_equal(f(np.array([1, -1, 2], np.float32), np.ones(2, np.float32)), [2, 3])
    assert [step.checked for step in f.vm.steps] == [False, True]
    with pytest.raises(ShapeError, match=r"^Add\(Positive\.0, y\) \[toposort index 1.*cannot broadcast input shapes 3, 2"):
        f(np.array([1, 1, 2], np.float32), np.ones(2, np.float32))  # same leaf shapes, another Positive shape


def test_failures_on_the_fast_path_name_the_node_and_leave_no_values_behind():
    class FailsOnTheThirdCall(Broken):
        calls = 0

        def perform(self, node, inputs, output_storage):
            type(self).calls += 1
            if self.calls == 3:
                raise self.error("third call")
            output_storage[0][0] = inputs[0] + 1

    x = vector("x")
    f = function([x], FailsOnTheThirdCall(ValueError)(x * 2) * 3, device="cpu")
    f(np.ones(2, np.float32)), f(np.ones(2, np.float32))
    with pytest.raises(ShapeError, match=r"^FailsOnTheThirdCall\{error=<class 'ValueError'>\}\(Mul\.0\) "
                                         r"\[toposort index 1, on cpu, built at test_link.py:\d+\]: third call; "
                                         r"inputs: Mul.0 float32 array of shape 2$"):
        f(np.ones(2, np.float32))
    assert all(cell[0] is None for var, cell in f.vm.storage.items() if var.owner is not None or var is x)
    np.testing.assert_array_equal(f(np.ones(2, np.float32)), [9, 9])


def test_an_interrupt_passes_through_and_the_next_call_starts_clean():
    class Interrupted(Broken):
        def perform(self, node, inputs, output_storage):
            raise KeyboardInterrupt

    x = vector("x")
    first, second = Forgetful(None)(x)
    f = function([x], [first, Interrupted(None)(second)], device="cpu")
    with pytest.raises(KeyboardInterrupt):
        f(np.ones(2, np.float32))
    assert all(cell[0] is None for var, cell in f.vm.storage.items() if var.owner is not None)
