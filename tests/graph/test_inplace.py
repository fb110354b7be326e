"""In-place outputs of fused elementwise nodes: which inputs a node may overwrite, the buffer
it reuses on the host (the C loop) and on emu (the generated kernel), and the results."""
import numpy as np

from warpbench.graph import FunctionGraph, exp, function, matrix, shared, tanh, vector
from warpbench.graph.inplace import inplace_elemwise, reusable
from warpbench.graph.rewrite import optimize
from warpbench.graph.transfer import GpuFromHost, HostFromGpu

from .book import AXPBOp


class Recorded(AXPBOp):
    """The book's Python op, keeping the array it returned last (class-wide, for the test)."""

    last = None

    def perform(self, node, inputs, output_storage):
        super().perform(node, inputs, output_storage)
        Recorded.last = output_storage[0][0]


def destroy_maps(f):
    return [getattr(n.op, "destroy_map", {}) for n in f.fgraph.toposort()]


def test_a_fused_host_node_writes_into_an_intermediate_it_alone_reads():
    x = vector("x")
    f = function([x], Recorded(4, 5)(2 * x) + 4 * x, device="cpu")
    assert destroy_maps(f) == [{}, {}, {0: [0]}]  # Mul, Recorded, Composite over Recorded's output
    value = np.linspace(-3, 3, 11, dtype=np.float32)
    got = f(value)
    assert got is Recorded.last  # the op's array is the result: no new output buffer
    np.testing.assert_allclose(got, 4 * (2 * value) + 5 + 4 * value, rtol=1e-6)
    unshared = function([x], Recorded(4, 5)(2 * x) + 4 * x, device="cpu", excluding=("inplace",))
    assert destroy_maps(unshared) == [{}, {}, {}]
    again = unshared(value)
    assert again is not Recorded.last and not np.shares_memory(again, Recorded.last)
    np.testing.assert_array_equal(again, got)


def test_function_inputs_shared_values_constants_and_outputs_are_never_destroyed():
    x = vector("x")
    w = shared(np.arange(4, dtype=np.float32), name="w")
    value = np.arange(4, dtype=np.float32)
    kept = value.copy()
    f = function([x], exp(x) * w + np.float32(1), device="cpu")
    assert destroy_maps(f) == [{}]
    f(value)
    np.testing.assert_array_equal(value, kept)
    np.testing.assert_array_equal(w.get_value(), np.arange(4))
    t = Recorded(4, 5)(x)
    g = function([x], [t, tanh(t) * 2], device="cpu")  # t is an output: not overwritten
    assert {0: [0]} not in destroy_maps(g)
    out, doubled = g(value)
    np.testing.assert_allclose(out, 4 * value + 5)
    np.testing.assert_allclose(doubled, np.tanh(4 * value + 5) * 2, rtol=1e-6)


def test_an_intermediate_read_by_two_nodes_is_not_destroyed():
    x = vector("x")
    t = Recorded(4, 5)(x)
    fg = FunctionGraph([x], [exp(t) * 2, tanh(t) + 1])
    optimize(fg, "cpu")
    assert [str(n.op) for n in fg.toposort()][1:] == ["Composite{(exp(i0) * i1)}", "Composite{(tanh(i0) + i1)}"]
    assert inplace_elemwise(fg) == 0
    alone = FunctionGraph([x], [exp(t) * t + 1])  # one reader, even of the value twice over
    optimize(alone, "cpu")
    assert inplace_elemwise(alone) == 1


def test_a_broadcast_input_is_not_reused():
    x, row = matrix("x"), matrix("row")
    f = function([x, row], Recorded(4, 5)(row) * exp(x), device="cpu")
    assert destroy_maps(f)[-1] == {0: [0]}  # the type fits; the shape is seen when it runs
    a = np.ones((3, 4), np.float32)
    b = np.arange(4, dtype=np.float32).reshape(1, 4)
    got = f(a, b)
    assert got is not Recorded.last and Recorded.last.shape == (1, 4)
    np.testing.assert_allclose(got, (4 * b + 5) * np.exp(a), rtol=1e-6)


def test_reusable_buffers():
    a = np.zeros((2, 3), np.float32)
    assert reusable(a, (2, 3), "float32")
    assert not reusable(a, (1, 3), "float32") and not reusable(a, (2, 3), "float64")
    assert not reusable(a.T, (3, 2), "float32")  # a view: not its own memory, not C-contiguous
    assert not reusable(a[:1], (1, 3), "float32")
    frozen = np.zeros(3, np.float32)
    frozen.flags.writeable = False
    assert not reusable(frozen, (3,), "float32")


def test_the_books_fused_device_node_overwrites_the_transferred_value(emu, monkeypatch):
    seen = {"to_device": [], "to_host": []}
    to_device, to_host = GpuFromHost.perform, HostFromGpu.perform

    def recording_to_device(self, node, inputs, output_storage):
        to_device(self, node, inputs, output_storage)
        seen["to_device"].append(output_storage[0][0])

    def recording_to_host(self, node, inputs, output_storage):
        seen["to_host"].append(inputs[0])
        to_host(self, node, inputs, output_storage)

    monkeypatch.setattr(GpuFromHost, "perform", recording_to_device)
    monkeypatch.setattr(HostFromGpu, "perform", recording_to_host)
    x = vector("x")
    f = function([x], AXPBOp(4, 5)(2 * x) + 4 * x, device="emu")
    assert [str(n.op) for n in f.fgraph.toposort()][-2:] == [
        "GpuElemwise{Composite{(i0 + (i1 * i2))}}", "HostFromGpu"]
    assert destroy_maps(f)[-2] == {0: [0]}
    value = np.linspace(-1, 1, 37, dtype=np.float32)
    got = f(value)
    # The composite's result (read back by the last HostFromGpu) is the device copy of AXPBOp's output.
    assert seen["to_host"][-1] is seen["to_device"][-1]
    np.testing.assert_allclose(got, 4 * (2 * value) + 5 + 4 * value, rtol=1e-6)
    seen["to_device"].clear(), seen["to_host"].clear()
    plain = function([x], AXPBOp(4, 5)(2 * x) + 4 * x, device="emu", excluding=("inplace",))
    np.testing.assert_array_equal(plain(value), got)
    assert seen["to_host"][-1] is not seen["to_device"][-1]


def test_device_shared_values_are_not_destroyed(emu):
    x = vector("x")
    w = shared(np.arange(5, dtype=np.float32), name="w")
    f = function([x], exp(w * 2) + x, updates=[(w, w + 1)], device="emu")
    fused = [n for n in f.fgraph.toposort() if "Composite" in str(n.op)][0]
    assert str(fused.inputs[0]) == "w" and fused.op.destroy_map == {0: [2]}  # x's device copy, not w
    for step in range(3):
        got = f(np.zeros(5, np.float32))
        np.testing.assert_allclose(got, np.exp((np.arange(5) + step) * 2), rtol=1e-6)
    np.testing.assert_array_equal(w.get_value(), np.arange(5) + 3)


def test_a_broadcast_device_input_is_not_reused(emu):
    x, row = matrix("x"), matrix("row")
    f = function([x, row], AXPBOp(4, 5)(row) * exp(x), device="emu")
    assert destroy_maps(f)[-2] == {0: [0]}
    a = np.full((3, 4), 0.5, np.float32)
    b = np.arange(4, dtype=np.float32).reshape(1, 4)
    np.testing.assert_allclose(f(a, b), (4 * b + 5) * np.exp(a), rtol=1e-6)
    np.testing.assert_allclose(f(a[:1], b), (4 * b + 5) * np.exp(a[:1]), rtol=1e-6)  # same shape: reused
