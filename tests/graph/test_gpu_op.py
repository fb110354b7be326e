"""Ops with their own kernels: the book's GpuAXPBOp with its CUDA source, device_kernel results,
ops already on the device, and ElementwiseKernel as a graph op."""
import io

import numpy as np
import pytest

from warpbench.errors import DTypeError, WarpbenchError
from warpbench.graph import (Apply, ElementwiseKernel, FunctionGraph, GpuFromHost, HostFromGpu, Op, as_variable,
                             debugprint, exp, function, grad, matrix, tensor, vector)
from warpbench.graph.rewrite import optimize
from warpbench.kernels import get

from .book_gpu import GpuAXPBOp

SHAPES = [(1,), (2,), (7,), (31,), (257,), (1021,), (1, 1), (3, 5), (13, 17)]


def ops(fg):
    return [str(node.op) for node in fg.toposort()]


def dprint(obj) -> str:
    return debugprint(obj, file=io.StringIO())


def test_user_gpu_op_sits_on_the_device_between_device_nodes():
    x = vector("x")
    fg = optimize(FunctionGraph([x], [exp(GpuAXPBOp(4, 5)(x * 2))]), "emu")
    assert dprint(fg) == """\
HostFromGpu [id A] <emu->cpu> ''   4
 |GpuElemwise{Exp} [id B] <emu> ''   3
   |GpuAXPBOp{a=4, b=5} [id C] <emu> ''   2
     |GpuElemwise{Mul} [id D] <emu> ''   1
       |GpuFromHost<emu> [id E] <cpu->emu> ''   0
       | |x [id F]
       |TensorConstant{2.0} [id G]
"""


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_user_gpu_op_matches_perform_on_emu(emu, shape, dtype):
    x = tensor("x", dtype, len(shape))
    on_emu = function([x], GpuAXPBOp(4, 5)(x), device="emu")
    assert on_emu.vm.steps[1].kernel.spec.code is not None  # its own source, compiled
    on_cpu = function([x], GpuAXPBOp(4, 5)(x), device="cpu")  # perform
    a = np.random.default_rng(len(shape)).standard_normal(shape).astype(dtype)
    got = on_emu(a)
    assert got.dtype == dtype and got.shape == shape
    np.testing.assert_array_equal(got, on_cpu(a))


def test_user_gpu_op_in_a_longer_graph_and_its_gradient(emu):
    x = matrix("x")
    y = GpuAXPBOp(4, 5)(x * 2) + 4 * x
    f = function([x, ], [y, grad(y.sum(), x)], device="emu")
    a = np.random.default_rng(0).standard_normal((7, 3)).astype(np.float32)
    value, slope = f(a)
    np.testing.assert_allclose(value, 4 * (2 * a) + 5 + 4 * a, rtol=1e-6)
    np.testing.assert_allclose(slope, np.full_like(a, 12))


def test_other_dtypes_run_perform_on_the_host(emu):
    i = vector("i", "int32")
    f = function([i], GpuAXPBOp(4, 5)(i), device="emu")
    assert ops(f.fgraph) == ["GpuAXPBOp{a=4, b=5}"]
    np.testing.assert_array_equal(f(np.arange(3, dtype=np.int32)), [5, 9, 13])


def test_an_op_built_on_the_device_needs_no_lift(emu):
    x = vector("x")
    on_device = GpuAXPBOp(4, 5)(GpuFromHost("emu")(x))
    f = function([x], HostFromGpu()(on_device), device="emu")
    assert ops(f.fgraph) == ["GpuFromHost<emu>", "GpuAXPBOp{a=4, b=5}", "HostFromGpu"]
    np.testing.assert_array_equal(f(np.arange(4, dtype=np.float32)), [5, 9, 13, 17])


class _Returns(Op):
    """An op whose device_kernel returns ``found``; perform is the identity."""

    __props__ = ("found",)

    def __init__(self, found):
        self.found = found

    def make_node(self, x):
        x = as_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0]

    def device_kernel(self, node):
        return self.found


def test_a_registry_spec_object_is_a_device_kernel(emu):
    x = vector("x")
    op = _Returns(get("axpb_f32"))  # a spec among __props__: hashable, merged
    assert op == _Returns(get("axpb_f32")) and hash(op) == hash(_Returns(get("axpb_f32")))
    f = function([x], op(x), device="emu")
    assert f.vm.steps[1].kernel.name == "axpb_f32"


def test_device_kernel_results_that_are_not_kernels_are_refused():
    x = vector("x")
    with pytest.raises(WarpbenchError, match=r"_Returns.device_kernel returned tuple \('axpb_f32',\); expected a "):
        function([x], _Returns(("axpb_f32",))(x), device="emu")


def test_a_device_node_without_a_kernel_is_named():
    x = vector("x")
    on_device = _Returns(None)(GpuFromHost("emu")(x))
    with pytest.raises(WarpbenchError, match=r"^_Returns\{found=None\}\(GpuFromHost<emu>\.0\) \[toposort index 1, "
                                             r"on emu.*: _Returns\{found=None\} runs on emu .* gives no kernel"):
        function([x], HostFromGpu()(on_device), device="emu")


SCALE = ElementwiseKernel("T x, T y, float64 s", "T z", "z = (x - y) * s", "scaled_diff")


@pytest.mark.parametrize("device", ["emu", "cpu"])
def test_elementwise_kernel_as_a_graph_op(emu, device):
    x, y = matrix("x"), vector("y")
    z = SCALE(x, y, 0.5)
    assert str(z.owner.op) == "ElementwiseKernel{scaled_diff}" and z.dtype == "float32" and z.ndim == 2
    f = function([x, y], exp(z), device=device)  # on cpu, the CUDA source runs in the emulator
    a = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal(5).astype(np.float32)
    np.testing.assert_allclose(f(a, b), np.exp((a - b) * 0.5), rtol=1e-6)
    if device == "emu":
        assert ops(f.fgraph) == ["GpuFromHost<emu>", "GpuFromHost<emu>", "ElementwiseKernel{scaled_diff}",
                                 "GpuElemwise{Exp}", "HostFromGpu"]


def test_elementwise_kernel_graph_op_errors():
    with pytest.raises(DTypeError, match=r"type T is float32 but y is float64"):
        SCALE(vector("x"), vector("y", "float64"), 1.0)
    with pytest.raises(WarpbenchError, match=r"raw parameter x cannot be a graph input"):
        ElementwiseKernel("raw T x", "T z", "z = x[i]", "raw_in")(vector("x"))
    with pytest.raises(WarpbenchError, match=r"takes 3 input"):
        SCALE(vector("x"), vector("y"))
