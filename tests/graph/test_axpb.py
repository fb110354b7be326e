"""The book's chapter-13 scenario: AXPBOp(4, 5) on the host, the emulator and a GPU."""
import io

import numpy as np
import pytest

from warpbench.graph import AXPBOp, debugprint, function, grad, matrix, vector, verify_grad
from warpbench.graph.axpb import host_axpb

SIZES = [1, 2, 7, 31, 257, 1021]


def test_two_axpbops_are_one_op():
    assert AXPBOp(4, 5) == AXPBOp(4, 5)
    assert hash(AXPBOp(4, 5)) == hash(AXPBOp(4, 5))
    assert str(AXPBOp(4, 5)) == "AXPBOp{a=4, b=5}"


def test_make_node_keeps_the_input_type_and_infer_shape_is_identity():
    x = matrix("x", "float64")
    node = AXPBOp(4, 5).make_node(x)
    assert node.outputs[0].type == x.type
    assert node.op.infer_shape(node, [(3, 7)]) == [(3, 7)]


def test_grad_is_a_times_g():
    x = vector("x")
    g = grad(AXPBOp(4, 5)(x).sum(), x)
    np.testing.assert_array_equal(function([x], g, device="cpu")(np.zeros(3, np.float32)), [4, 4, 4])
    verify_grad(lambda v: AXPBOp(4, 5)(v), [np.random.default_rng(0).standard_normal((3, 2))])
    verify_grad(lambda v: AXPBOp(-0.5, 2.0)(v), [np.random.default_rng(1).standard_normal(5)])


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_host_code_matches_perform(dtype):
    x = np.arange(-5, 6).astype(dtype)
    np.testing.assert_array_equal(host_axpb(x, 4, 5), 4 * x + 5)
    assert host_axpb(x, 4, 5).dtype == dtype


def _book_function(device, dtype="float32"):
    x = vector("x", dtype)
    return function([x], AXPBOp(4, 5)(x), device=device)


def _check(f, dtype):
    for n in SIZES:
        x = np.random.default_rng(n).standard_normal(n).astype(dtype)
        got = f(x)
        assert isinstance(got, np.ndarray) and got.dtype == dtype and got.shape == (n,)
        np.testing.assert_allclose(got, 4 * x + 5, rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_book_scenario_on_cpu(dtype):
    f = _book_function("cpu", dtype)
    _check(f, dtype)
    assert debugprint(f, file=io.StringIO()) == "AXPBOp{a=4, b=5} [id A] <cpu> ''   0\n |x [id B]\n"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_book_scenario_on_emu(emu, dtype):
    f = _book_function("emu", dtype)
    assert [str(n.op) for n in f.fgraph.toposort()] == ["GpuFromHost<emu>", "AXPBOp{a=4, b=5}", "HostFromGpu"]
    assert f.vm.steps[1].kernel.name == {"float32": "axpb_f32", "float64": "axpb_f64"}[dtype]
    _check(f, dtype)


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_book_scenario_on_cuda(cuda, dtype):
    f = _book_function("cuda", dtype)
    assert [str(n.op) for n in f.fgraph.toposort()] == ["GpuFromHost<cuda>", "AXPBOp{a=4, b=5}", "HostFromGpu"]
    _check(f, dtype)
