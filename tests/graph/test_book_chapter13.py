"""The book's chapter 13 ("Extending Deep Learning with Theano") replayed as a reader does it,
with warpbench's public API only, in the book's order: the Python op on the CPU (its props,
``pprint``, ``f(x)``, the gradient), the same op in a GPU-mode graph (emu) with the fused
``GpuElemwise{Composite{...}}``, the GPU op with its own CUDA source, then the op in C.

The ops are the reader's (tests/graph/book*.py): ``AXPBOp`` with ``perform``, ``GpuAXPBOp``
with a RawKernel, and ``AXPBOp`` with ``c_code`` and no ``perform``.
"""
import io

import numpy as np
import pytest

from warpbench.graph import (Composite, GpuElemwise, Op, debugprint, function, grad, matrix, pprint,
                             print_profile, scalar, verify_grad)

from .book import AXPBOp
from .book_c import AXPBOp as CAXPBOp
from .book_gpu import GpuAXPBOp

AWKWARD = [(1, 1), (3, 4), (7, 13), (1, 31), (257, 1)]


def values(shape, seed=0, dtype="float32"):
    return np.random.default_rng(seed).uniform(-2, 2, shape).astype(dtype)


# -- "Theano Op in Python for CPU" ----------------------------------------------------------

def test_ops_are_equal_by_their_props_and_print_them():
    mult4plus5op = AXPBOp(4, 5)
    another_mult4plus5op = AXPBOp(4, 5)
    mult2plus3op = AXPBOp(2, 3)
    assert mult4plus5op == another_mult4plus5op
    assert hash(mult4plus5op) == hash(another_mult4plus5op)
    assert mult4plus5op != mult2plus3op
    assert str(mult4plus5op) == "AXPBOp{a=4, b=5}" and str(mult2plus3op) == "AXPBOp{a=2, b=3}"


def test_the_function_of_the_op_on_the_cpu():
    mult4plus5op = AXPBOp(4, 5)
    x = matrix()
    y = mult4plus5op(x)
    f = function([x], y, device="cpu")
    assert pprint(y) == "AXPBOp{a=4, b=5}.0"
    assert pprint(f.fgraph.outputs[0]) == "AXPBOp{a=4, b=5}.0"
    assert debugprint(f, file=io.StringIO()) == (
        "AXPBOp{a=4, b=5} [id A] <cpu> ''   0\n |<TensorType(float32, matrix)> [id B]\n")
    for k, shape in enumerate(AWKWARD):
        a = values(shape, k)
        got = f(a)
        assert got.dtype == np.float32 and got.shape == shape  # floatX is float32, as the book sets it
        np.testing.assert_allclose(got, 4 * a + 5, rtol=1e-6)


def test_infer_shape_gives_the_shape_without_running_the_op():
    x = matrix()
    y = AXPBOp(4, 5)(x)
    shape = function([x], y.shape, device="cpu")
    assert not any(isinstance(node.op, AXPBOp) for node in shape.fgraph.toposort())
    np.testing.assert_array_equal(shape(values((3, 7))), [3, 7])


def test_the_gradient_of_the_sum():
    mult4plus5op = AXPBOp(4, 5)
    x = matrix()
    y = mult4plus5op(x)
    dy = grad(y.sum(), x)
    f = function([x], dy, device="cpu")
    np.testing.assert_array_equal(f(values((3, 4))), np.full((3, 4), 4, np.float32))
    verify_grad(mult4plus5op, [np.random.default_rng(1).random((5, 6))])


# -- the same op in a GPU-mode graph ---------------------------------------------------------

BOOK_GPU_PICTURE = """\
HostFromGpu [id A] <emu->cpu> ''   6
 |GpuElemwise{Composite{(i0 + (i1 * i2))}} [id B] <emu> ''   5
   |GpuFromHost<emu> [id C] <cpu->emu> ''   4
   | |AXPBOp{a=4, b=5} [id D] <cpu> ''   3
   |   |HostFromGpu [id E] <emu->cpu> ''   2
   |     |GpuElemwise{Mul} [id F] <emu> ''   1
   |       |TensorConstant{2.0} [id G]
   |       |GpuFromHost<emu> [id H] <cpu->emu> ''   0
   |         |<TensorType(float32, matrix)> [id I]
   |TensorConstant{4.0} [id J]
   |GpuFromHost<emu> [id H] <cpu->emu> ''   0
"""


def test_the_gpu_mode_graph_moves_around_the_host_only_op_and_fuses(emu):
    mult4plus5op = AXPBOp(4, 5)
    x = matrix()
    y = mult4plus5op(2 * x) + 4 * x
    f = function([x], y, device="emu")
    assert debugprint(f, file=io.StringIO()) == BOOK_GPU_PICTURE
    fused = f.fgraph.outputs[0].owner.inputs[0].owner
    assert isinstance(fused.op, GpuElemwise) and isinstance(fused.op.scalar_op, Composite)
    assert fused.op.destroy_map == {0: [0]}  # the book's [(0, 0)]: the sum overwrites AXPBOp's copy
    for k, shape in enumerate(AWKWARD):
        a = values(shape, k)
        np.testing.assert_allclose(f(a), 4 * (2 * a) + 5 + 4 * a, rtol=1e-6)
    g = function([x], grad(y.sum(), x), device="emu")
    np.testing.assert_allclose(g(values((3, 4))), np.full((3, 4), 4 * 2 + 4, np.float32))


# -- "Theano Op in C for GPU": the op with its own CUDA source --------------------------------

def test_the_gpu_op_with_its_own_cuda_source_runs_without_transfers(emu):
    x = matrix()
    y = GpuAXPBOp(4, 5)(2 * x) + 4 * x
    f = function([x], y, device="emu", profile=True)
    assert [str(node.op) for node in f.fgraph.toposort()] == [
        "GpuFromHost<emu>", "GpuElemwise{Mul}", "GpuAXPBOp{a=4, b=5}",
        "GpuElemwise{Composite{(i0 + (i1 * i2))}}", "HostFromGpu"]
    a = values((7, 13))
    for _ in range(2):  # the profile leaves the first call out
        got = f(a)
    np.testing.assert_allclose(got, 4 * (2 * a) + 5 + 4 * a, rtol=1e-6)
    moved = {entry.name: entry.transfer_bytes for entry in f.profile.by_class()}
    assert moved["GpuFromHost"] == moved["HostFromGpu"] == a.nbytes  # x in, y out: nothing around the op
    assert moved["GpuAXPBOp"] == 0 and "GpuAXPBOp{a=4, b=5}(GpuElemwise{Mul}.0) (emu)" in print_profile(
        f, file=io.StringIO())
    reference = function([x], AXPBOp(4, 5)(2 * x) + 4 * x, device="cpu")
    for k, shape in enumerate(AWKWARD):
        a = values(shape, k)
        np.testing.assert_array_equal(f(a), reference(a))
    g = function([x], grad(y.sum(), x), device="emu")
    np.testing.assert_allclose(g(values((3, 4))), np.full((3, 4), 12, np.float32))


# -- "Theano Op in C for CPU" -----------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_c_op_matches_the_python_op(dtype):
    assert "perform" not in vars(CAXPBOp) and CAXPBOp.perform is Op.perform  # only C code to run
    x = matrix(dtype=dtype)
    in_c = function([x], CAXPBOp(4, 5)(x), device="cpu")
    in_python = function([x], AXPBOp(4, 5)(x), device="cpu")
    for k, shape in enumerate(AWKWARD + [(0, 3)]):
        a = values(shape, k, dtype)
        got = in_c(a)
        assert got.dtype == dtype and got.shape == shape
        np.testing.assert_array_equal(got, in_python(a))
    strided = function([x], CAXPBOp(4, 5)(x.T), device="cpu")
    a = values((5, 3), 9, dtype)
    np.testing.assert_array_equal(strided(a), 4 * a.T + 5)
    s = scalar(dtype=dtype)
    assert function([s], CAXPBOp(4, 5)(s), device="cpu")(np.asarray(2, dtype)) == 13
    g = function([x], grad(CAXPBOp(4, 5)(x).sum(), x), device="cpu")
    np.testing.assert_array_equal(g(values((2, 3), 0, dtype)), np.full((2, 3), 4, dtype))


def test_the_c_op_in_the_gpu_mode_graph(emu):
    x = matrix()
    y = CAXPBOp(4, 5)(2 * x) + 4 * x
    f = function([x], y, device="emu")
    assert debugprint(f, file=io.StringIO()) == BOOK_GPU_PICTURE
    a = values((7, 13))
    np.testing.assert_allclose(f(a), 4 * (2 * a) + 5 + 4 * a, rtol=1e-6)
