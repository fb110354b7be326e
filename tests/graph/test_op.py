"""The Op contract: identity from __props__, and for every op: make_node's output type,
infer_shape and the host implementation agree with perform (the NumPy reference)."""
import numpy as np
import pytest

from warpbench.graph import (AXPBOp, AdvancedIncSubtensor1, AdvancedSubtensor1, Argmax, Cast, DimShuffle, Dot, Join, Max,
                             Op, Prod, Sum, TensorType, add, clip, exp, fill, log, lt, maximum, mul, neg, pow,
                             relu, sigmoid, sqrt, step, sub, sum_to, switch, tanh, true_div)
from warpbench.graph.linalg import transpose
from warpbench.graph.op import output_variable


def test_props_give_equality_hash_and_str():
    assert AXPBOp(4, 5) == AXPBOp(4, 5)
    assert hash(AXPBOp(4, 5)) == hash(AXPBOp(4, 5))
    assert str(AXPBOp(4, 5)) == "AXPBOp{a=4, b=5}"
    assert repr(AXPBOp(4.0, -1)) == "AXPBOp{a=4.0, b=-1}"
    assert AXPBOp(4, 5) != AXPBOp(4, 6)
    assert len({AXPBOp(4, 5), AXPBOp(4, 5), AXPBOp(1, 0)}) == 2


def test_ops_without_props_keep_identity():
    class Stateful(Op):
        pass
    assert Stateful() != Stateful()
    one = Stateful()
    assert one == one and str(one) == "Stateful"


def test_empty_props_make_all_instances_equal():
    class Plain(Op):
        __props__ = ()
    assert Plain() == Plain() and hash(Plain()) == hash(Plain())


def test_props_must_be_a_tuple_of_names():
    with pytest.raises(TypeError, match="tuple of attribute names"):
        class Bad(Op):
            __props__ = "a"


def test_same_props_different_class_differ():
    class Other(AXPBOp):
        pass
    assert Other(4, 5) != AXPBOp(4, 5)


def test_output_variable_follows_the_inputs_device():
    from warpbench.graph import GpuArrayType
    g = GpuArrayType("float32", 1, "emu")("g")
    assert output_variable([g], "float64", 2).type == GpuArrayType("float64", 2, "emu")


rng = np.random.default_rng(1)


def arr(*shape, dtype="float32"):
    return rng.uniform(-2, 2, shape).astype(dtype)


CONTRACT = [
    (add, [arr(3, 1), arr(1, 5)]),
    (sub, [arr(7), arr(1)]),
    (mul, [arr(2, 3, dtype="float64"), arr(3, dtype="float64")]),
    (true_div, [arr(5), arr(5) + 3]),
    (neg, [arr(4, 1)]),
    (exp, [arr(3)]),
    (tanh, [arr(13)]),
    (sigmoid, [arr(2, 7, dtype="float64")]),
    (relu, [arr(31)]),
    (step, [arr(6)]),
    (Sum(), [arr(3, 4)]),
    (fill, [arr(3, 4), arr(4)]),
    (sum_to, [arr(2, 3, 5), arr(3, 1)]),
    (transpose, [arr(1, 7)]),
    (transpose, [arr(5, 3, dtype="float64")]),
    (Dot(), [arr(3, 4), arr(4, 2)]),
    (AXPBOp(4, 5), [arr(7, 3)]),
    (AXPBOp(2.5, -1), [arr(11, dtype="float64")]),
    (log, [arr(3, 2) + 3]),
    (sqrt, [arr(5, dtype="float64") + 3]),
    (pow, [arr(4, 3) + 3, arr(3)]),
    (maximum, [arr(2, 1), arr(1, 6)]),
    (clip, [arr(9), arr(1), arr(9) + 4]),
    (lt, [arr(3, 3), arr(3)]),
    (switch, [arr(4), arr(4), arr(1)]),
    (Cast("int32"), [arr(2, 5)]),
    (Sum((1,), True), [arr(2, 3, 4)]),
    (Max((0, 2)), [arr(2, 3, 4, dtype="float64")]),
    (Prod(), [arr(3, 3)]),
    (Argmax((1,)), [arr(4, 6)]),
    (DimShuffle((1, "x", 0)), [arr(3, 5)]),
    (DimShuffle((0, 1)), [arr(3, 5)]),
    (Join(1), [arr(2, 3), arr(2, 1), arr(2, 4)]),
    (AdvancedSubtensor1(), [arr(5, 3), np.array([4, 0, 4])]),
    (AdvancedIncSubtensor1(), [arr(5, 3), arr(3), np.array([4, 0, 4])]),
]


@pytest.mark.parametrize("op, values", CONTRACT, ids=lambda v: str(v) if not isinstance(v, list) else "")
def test_contract(op, values):
    inputs = [TensorType(v.dtype, v.ndim)() for v in values]
    node = op.make_node(*inputs)
    reference, host = [[None] for _ in node.outputs], [[None] for _ in node.outputs]
    op.perform(node, values, reference)
    op.perform_host(node, values, host)
    shapes = op.infer_shape(node, [v.shape for v in values])
    for out, ref, got, shape in zip(node.outputs, reference, host, shapes):
        assert isinstance(ref[0], np.ndarray) and isinstance(got[0], np.ndarray)
        assert ref[0].dtype == out.dtype and got[0].dtype == out.dtype
        assert ref[0].ndim == out.ndim
        assert ref[0].shape == tuple(shape)
        np.testing.assert_allclose(got[0], ref[0], rtol=1e-6, atol=1e-6)


def test_perform_does_not_alias_its_inputs():
    for op, values in CONTRACT:
        node = op.make_node(*[TensorType(v.dtype, v.ndim)() for v in values])
        cell = [None]
        op.perform(node, values, [cell])
        assert not any(np.shares_memory(cell[0], v) for v in values), op


def test_missing_parts_of_the_contract_are_named():
    from warpbench.errors import WarpbenchError
    from warpbench.graph import MethodNotDefined, Op, grad, vector

    class HostOnly(Op):
        __props__ = ()

        def make_node(self, x):
            from warpbench.graph.basic import Apply
            return Apply(self, [x], [x.type()])

    x = vector("x")
    node = HostOnly().make_node(x)
    with pytest.raises(MethodNotDefined, match="HostOnly does not define perform") as err:
        node.op.perform(node, [None], [[None]])
    assert isinstance(err.value, WarpbenchError)
    with pytest.raises(WarpbenchError, match="grad: HostOnly.* has no gradient"):
        grad(HostOnly()(x).sum(), x)
