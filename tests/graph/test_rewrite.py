"""The rewrites: merge, constant folding, lifting to a kernel device, cutting transfers.

Lifting is checked on the rewritten FunctionGraph, without linking, so these tests need
no emulator; running the lifted graphs is tested where the emulator is available.
"""
import numpy as np
import pytest

from warpbench.graph import (AXPBOp, Constant, FunctionGraph, GpuFromHost, HostFromGpu, exp, function,
                             matrix, shared, transpose, vector)
from warpbench.graph.rewrite import constant_fold, cut_transfers, lift, merge, optimize

from .book import AXPBOp as BookAXPBOp


def ops(fg):
    return [str(node.op) for node in fg.toposort()]


def count(fg, op_class):
    return sum(isinstance(node.op, op_class) for node in fg.toposort())


def test_merge_joins_equal_nodes_and_constants():
    x = vector("x")
    a, b = AXPBOp(4, 5)(x), AXPBOp(4, 5)(x)  # two equal ops: one node after merge
    fg = FunctionGraph([x], [a + b, x * 2 + x * 2])
    assert merge(fg) == 2
    assert ops(fg) == ["AXPBOp{a=4, b=5}", "Add", "Mul", "Add"]
    add_ab = fg.outputs[0].owner
    assert add_ab.inputs[0] is add_ab.inputs[1]


def test_merge_keeps_different_props_apart():
    x = vector("x")
    fg = FunctionGraph([x], [AXPBOp(4, 5)(x) + AXPBOp(4, 6)(x)])
    assert merge(fg) == 0 and count(fg, AXPBOp) == 2


def test_merge_equal_constants_then_nodes():
    x = vector("x")
    fg = FunctionGraph([x], [exp(x + 1.0) * exp(x + 1)])
    merge(fg)
    assert ops(fg) == ["Add", "Exp", "Mul"]


def test_constant_folding():
    x = vector("x")
    c = np.arange(3, dtype=np.float32)
    y = x * (Constant(x.type, c) * 2 + 1)
    fg = FunctionGraph([x], [y])
    assert constant_fold(fg) == 2
    assert ops(fg) == ["Mul"]
    folded = fg.outputs[0].owner.inputs[1]
    assert isinstance(folded, Constant)
    np.testing.assert_array_equal(folded.data, c * 2 + 1)


def test_shared_variables_are_not_folded():
    w = shared(np.ones(3, np.float32), "w")
    fg = FunctionGraph([], [w * 2])
    assert constant_fold(fg) == 0


def test_a_fully_constant_function():
    f = function([], exp(Constant(vector().type, [0.0, 1.0])), device="cpu")
    assert f.fgraph.toposort() == []
    np.testing.assert_allclose(f(), np.exp([0.0, 1.0]))


def test_lift_inserts_transfers_and_cut_removes_round_trips():
    x = matrix("x")
    fg = FunctionGraph([x], [transpose(transpose(x))])
    lift(fg, "emu")
    # naive: every lifted node gets GpuFromHost in, HostFromGpu out
    assert ops(fg) == ["GpuFromHost<emu>", "Transpose", "HostFromGpu", "GpuFromHost<emu>", "Transpose",
                       "HostFromGpu"]
    cut_transfers(fg)
    assert ops(fg) == ["GpuFromHost<emu>", "Transpose", "Transpose", "HostFromGpu"]
    assert all(v.type.device == "emu" for n in fg.toposort()[1:3] for v in n.outputs)


def test_no_round_trip_is_left():
    x = matrix("x")
    fg = optimize(FunctionGraph([x], [transpose(AXPBOp(4, 5)(x * 2)) + 1]), "emu")
    for node in fg.toposort():
        source = node.inputs[0].owner
        if isinstance(node.op, GpuFromHost):
            assert source is None or not isinstance(source.op, HostFromGpu)
    assert ops(fg) == ["GpuFromHost<emu>", "GpuElemwise{Mul}", "AXPBOp{a=4, b=5}", "Transpose",
                       "GpuElemwise{Add}", "HostFromGpu"]


def test_host_only_op_gets_transfers_around_it():
    x = matrix("x")
    fg = optimize(FunctionGraph([x], [transpose(BookAXPBOp(4, 5)(transpose(x)))]), "emu")
    assert ops(fg) == ["GpuFromHost<emu>", "Transpose", "HostFromGpu", "AXPBOp{a=4, b=5}", "GpuFromHost<emu>",
                       "Transpose", "HostFromGpu"]
    book = fg.toposort()[3]
    assert book.outputs[0].type.device is None


def test_one_transfer_per_variable():
    x = vector("x")
    fg = optimize(FunctionGraph([x], [x * 2, x + 1, 3 - x]), "emu")
    assert count(fg, GpuFromHost) == 1 and count(fg, HostFromGpu) == 3


def test_nodes_without_kernels_stay_on_the_host():
    x = vector("x")
    fg = optimize(FunctionGraph([x], [BookAXPBOp(4, 5)(x)]), "emu")
    assert ops(fg) == ["AXPBOp{a=4, b=5}"]
    h = vector("h", "float16")  # elementwise kernels have no float16
    assert ops(optimize(FunctionGraph([h], [exp(h) * h]), "emu")) == ["Exp", "Mul"]
    m16 = matrix("m", "float16")  # neither the transpose study nor the permute kernels move float16
    assert ops(optimize(FunctionGraph([m16], [m16.T]), "emu")) == ["Transpose"]
    f64 = matrix("m", "float64")  # the permute kernel moves what the float32 transpose study does not
    assert ops(optimize(FunctionGraph([f64], [f64.T]), "emu")) == ["GpuFromHost<emu>", "Transpose", "HostFromGpu"]


def test_cpu_graphs_are_not_lifted():
    x = matrix("x")
    fg = optimize(FunctionGraph([x], [transpose(x) * 2]), "cpu")
    assert count(fg, GpuFromHost) == 0 and count(fg, HostFromGpu) == 0


def test_outputs_stay_on_the_host():
    x = vector("x")
    fg = optimize(FunctionGraph([x], [AXPBOp(4, 5)(x)]), "cuda")
    assert [o.type.device for o in fg.outputs] == [None]
    assert ops(fg) == ["GpuFromHost<cuda>", "AXPBOp{a=4, b=5}", "HostFromGpu"]


def test_user_graph_is_not_changed():
    x = matrix("x")
    y = transpose(x) * 2
    optimize(FunctionGraph([x], [y]), "emu")
    assert str(y.owner) == "Mul(Transpose.0, TensorConstant{2.0})"
    assert y.owner.inputs[0].owner.inputs[0] is x


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (31, 7)], ids=str)
def test_lifted_graph_runs_on_emu(emu, shape):
    x = matrix("x")
    f = function([x], [transpose(BookAXPBOp(4, 5)(transpose(x * 2))) - 1, x * 2 + 4 * x], device="emu")
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    first, second = f(a)
    np.testing.assert_allclose(first, 4 * (a * 2) + 5 - 1, rtol=1e-6)
    np.testing.assert_allclose(second, a * 2 + 4 * a, rtol=1e-6)


def test_fusion_can_be_excluded_and_unknown_rewrites_are_named():
    from warpbench.errors import UnknownNameError
    from warpbench.graph import function
    x = vector("x")
    fused = function([x], x * 2 + 1, device="cpu")
    unfused = function([x], x * 2 + 1, device="cpu", excluding=("fusion",))
    assert [type(n.op).__name__ for n in fused.fgraph.toposort()] == ["Composite"]
    assert [type(n.op).__name__ for n in unfused.fgraph.toposort()] == ["Mul", "Add"]
    np.testing.assert_array_equal(fused(np.ones(3, np.float32)), unfused(np.ones(3, np.float32)))
    with pytest.raises(UnknownNameError, match="cannot exclude rewrite fuson"):
        function([x], x * 2, device="cpu", excluding=("fuson",))
