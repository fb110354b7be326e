"""Elementwise fusion: which nodes fuse, how a Composite prints, and fused results on emu and cpu
against unfused NumPy at awkward shapes, broadcasts and dtypes; a 10-op chain is one launch."""
import io
import logging
import shutil
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import special

from warpbench import config
from warpbench.errors import DTypeError, ShapeError
from warpbench.graph import (Composite, Elemwise, FunctionGraph, debugprint, exp, function, relu, scalar, sigmoid, tanh,
                             tensor, vector)
from warpbench.graph.c_op import CThunk
from warpbench.graph.elemwise import step
from warpbench.graph.fusion import fuse_elemwise
from warpbench.graph.op import device_kernel_of
from warpbench.graph.rewrite import optimize
from warpbench.kernels.source import nvcc_module

from .book import AXPBOp as BookAXPBOp


def ops(fg):
    return [str(node.op) for node in fg.toposort()]


def test_the_books_graph_prints_as_theano():
    x = vector("x")
    mult4plus5op = BookAXPBOp(4, 5)
    fg = optimize(FunctionGraph([x], [mult4plus5op(2 * x) + 4 * x]), "emu")
    assert debugprint(fg, file=io.StringIO()) == """\
HostFromGpu [id A] <emu->cpu> ''   6
 |GpuElemwise{Composite{(i0 + (i1 * i2))}} [id B] <emu> ''   5
   |GpuFromHost<emu> [id C] <cpu->emu> ''   4
   | |AXPBOp{a=4, b=5} [id D] <cpu> ''   3
   |   |HostFromGpu [id E] <emu->cpu> ''   2
   |     |GpuElemwise{Mul} [id F] <emu> ''   1
   |       |TensorConstant{2.0} [id G]
   |       |GpuFromHost<emu> [id H] <cpu->emu> ''   0
   |         |x [id I]
   |TensorConstant{4.0} [id J]
   |GpuFromHost<emu> [id H] <cpu->emu> ''   0
"""


def test_chains_and_trees_become_one_node():
    x, y, z = vector("x"), vector("y"), vector("z")
    fg = FunctionGraph([x, y, z], [exp(x * 2 + y) / (1 - tanh(z))])
    assert fuse_elemwise(fg) == 1
    assert ops(fg) == ["Composite{(exp(((i0 * i1) + i2)) / (i3 - tanh(i4)))}"]
    assert fg.toposort()[0].inputs[::2] == [x, y, z]


def test_a_value_read_twice_by_one_node_is_computed_once():
    x, y = vector("x"), vector("y")
    t = exp(x)
    fg = FunctionGraph([x, y], [t * t + y])
    fuse_elemwise(fg)
    (node,) = fg.toposort()
    assert str(node.op) == "Composite{((exp(i0) * exp(i0)) + i1)}" and len(node.op.steps) == 3


def test_shared_values_and_outputs_end_a_group():
    x = vector("x")
    t = x * 2
    fg = FunctionGraph([x], [t + 1, t * 3])  # t has two readers: three nodes stay
    assert fuse_elemwise(fg) == 0 and len(ops(fg)) == 3
    fg = FunctionGraph([x], [t, exp(t + 1)])  # t is an output; t + 1 and exp fuse
    assert fuse_elemwise(fg) == 1
    assert ops(fg) == ["Mul", "Composite{exp((i0 + i1))}"]


def test_a_composite_fuses_into_a_larger_one():
    x = vector("x")
    first = FunctionGraph([x], [exp(x) * 2])
    fuse_elemwise(first)
    fg = FunctionGraph([x], [first.outputs[0] + 1])
    assert fuse_elemwise(fg) == 1
    assert ops(fg) == ["Composite{((exp(i0) * i1) + i2)}"]


def test_composites_compare_by_their_steps():
    x = vector("x")
    a, b = FunctionGraph([x], [x * 2 + 1]), FunctionGraph([x], [x * 2 + 1])
    fuse_elemwise(a), fuse_elemwise(b)
    op_a, op_b = a.toposort()[0].op, b.toposort()[0].op
    assert isinstance(op_a, Composite) and op_a == op_b and hash(op_a) == hash(op_b)


def _inputs(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [np.asarray(rng.uniform(-2, 2, shape)).astype(dtype) for shape in shapes]


# The same expression on graph variables (GRAPH) and on NumPy arrays (NUMPY): the unfused reference.
GRAPH = SimpleNamespace(exp=exp, tanh=tanh, sigmoid=sigmoid, relu=relu)
NUMPY = SimpleNamespace(exp=np.exp, tanh=np.tanh, sigmoid=special.expit, relu=lambda v: np.maximum(v, 0))
CASES = [  # (expression, input shapes, dtype)
    (lambda m, x, y: m.exp(x * 2 + y) / (1 + m.relu(x - y)), [(1,), (1,)], "float32"),
    (lambda m, x, y: m.exp(x * 2 + y) / (1 + m.relu(x - y)), [(31,), (31,)], "float32"),
    (lambda m, x, y: m.exp(x * 2 + y) / (1 + m.relu(x - y)), [(257,), (257,)], "float32"),
    (lambda m, x, y: -(x * y) + 2 - x, [(13, 1), (1, 13)], "float32"),
    (lambda m, x, y: -(x * y) + 2 - x, [(3, 5), (5,)], "float64"),
    (lambda m, x, y: m.tanh(x) * m.sigmoid(y) - x / 3, [(2, 3, 5, 7), (5, 1)], "float64"),
    (lambda m, x, y: m.tanh(x) * m.sigmoid(y) - x / 3, [(7,), ()], "float64"),  # a 0-d variable
    (lambda m, x, y: x * 3 + y - x, [(2, 7), (7,)], "int32"),
    (lambda m, x, y: x / 2 + y * 2.5, [(7,), (1,)], "int32"),  # int32 -> float64 inside the group
]


@pytest.mark.parametrize("device", ["cpu", "emu"])
@pytest.mark.parametrize("build, shapes, dtype", CASES, ids=lambda v: "" if callable(v) else str(v))
def test_fused_results_match_unfused_numpy(emu, device, build, shapes, dtype):
    variables = [tensor(f"v{k}", dtype, len(s)) for k, s in enumerate(shapes)]
    f = function(variables, build(GRAPH, *variables), device=device)
    assert sum("Composite" in op for op in ops(f.fgraph)) == 1
    values = _inputs(shapes, dtype)
    want = build(NUMPY, *values)
    got = f(*values)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=2e-6 if want.dtype == np.float32 else 1e-13)


def test_every_op_computes_in_c_as_in_numpy(emu):
    x = vector("x")
    unary = [tanh, sigmoid, relu, step, exp]
    f = function([x], [op(x) for op in unary] + [-x, x / x], device="emu")
    a = np.array([-np.inf, -90, -1, -0.0, 0, 0.5, 90, np.inf, np.nan], np.float32)
    with np.errstate(all="ignore"):
        want = [np.tanh(a), special.expit(a), np.maximum(a, 0), (a > 0).astype(a.dtype), np.exp(a), -a, a / a]
        got = f(a)
    for name, g, w in zip(["tanh", "sigmoid", "relu", "step", "exp", "neg", "div"], got, want):
        np.testing.assert_allclose(g, w, rtol=2e-6, err_msg=name)


def test_a_ten_op_chain_is_one_kernel_launch(emu, monkeypatch, caplog):
    x, y = vector("x"), vector("y")
    chain = x
    for k in range(5):
        chain = chain * y + (k + 1)
    f = function([x, y], chain, device="emu")
    (fused,) = [n for n in f.fgraph.toposort() if "Composite" in str(n.op)]
    assert len(fused.op.scalar_op.steps) == 10
    assert [step.kernel is not None for step in f.vm.steps] == [False, False, True, False]
    a, b = _inputs([(101,), (101,)], "float32")
    monkeypatch.setattr(config, "DEBUG", 2)
    with caplog.at_level(logging.DEBUG, logger="warpbench"):
        got = f(a, b)
    launches = [r.message for r in caplog.records if r.message.startswith("launch ")]
    assert len(launches) == 1 and launches[0].startswith("launch composite_10_")
    want = a
    for k in range(5):
        want = want * b + np.float32(k + 1)
    np.testing.assert_allclose(got, want, rtol=2e-6)


def test_a_zero_d_result_stays_zero_d(emu):
    s = scalar("s")
    f = function([s], exp(s) * 2 + 1, device="emu")
    got = f(np.float32(0.5))
    assert got.shape == () and np.isclose(got, np.exp(np.float32(0.5)) * 2 + 1)


def test_array_constants_are_copied_to_the_device(emu):
    x = tensor("x", "float32", 2)
    f = function([x], x * np.arange(3, dtype=np.float32) + 1, device="emu")
    assert ops(f.fgraph) == ["GpuFromHost<emu>", "GpuFromHost<emu>", "GpuElemwise{Composite{((i0 * i1) + i2)}}",
                             "HostFromGpu"]
    np.testing.assert_array_equal(f(np.ones((2, 3), np.float32)), [[1, 2, 3], [1, 2, 3]])


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_generated_kernels_compile_with_nvcc(dtype):
    x, y = vector("x", dtype), tensor("y", dtype, 0)
    every_op = sigmoid(relu(-(x * y)) - step(x) / y) + tanh(exp(x)) * 2
    fg = optimize(FunctionGraph([x, y], [every_op]), "cuda")
    (node,) = [n for n in fg.toposort() if "Composite" in str(n.op)]
    spec = device_kernel_of(node)
    module = nvcc_module(spec, spec.defines(), "sm_90")
    assert module.resources[spec.entry].spills == 0


class Square(Elemwise):
    """A user's elementwise op: NumPy for the host, a C expression for kernels and fusion."""

    nin = 1
    impl = staticmethod(np.square)

    def c_expression(self, operands, ctype):
        return f"({operands[0]} * {operands[0]})"


class Cube(Elemwise):
    """An elementwise op without a C expression: it stays on the host, unfused."""

    nin = 1
    impl = staticmethod(lambda v: v ** 3)


def test_a_users_elemwise_op_fuses(emu):
    x = vector("x")
    f = function([x], Square()(x + 1) * 2, device="emu")
    assert ops(f.fgraph) == ["GpuFromHost<emu>", "GpuElemwise{Composite{(square((i0 + i1)) * i2)}}", "HostFromGpu"]
    np.testing.assert_array_equal(f(np.arange(4, dtype=np.float32)), [2, 8, 18, 32])
    g = function([x], Cube()(x + 1) * 2, device="emu")
    assert ops(g.fgraph) == ["GpuFromHost<emu>", "GpuElemwise{Add}", "HostFromGpu", "Cube", "GpuFromHost<emu>",
                             "GpuElemwise{Mul}", "HostFromGpu"]
    np.testing.assert_array_equal(g(np.arange(4, dtype=np.float32)), [2, 16, 54, 128])


# -- the host side: one generated C loop ------------------------------------------------

HOST_CASES = [  # (expression, input values: views, broadcasts, 0-d, empty)
    (lambda m, x, y: m.exp(x * 2 + y) / (1 + m.relu(x - y)), lambda a, b: (a.T, b[:21:3])),  # strided views
    (lambda m, x, y: m.tanh(x) * y - x / 3, lambda a, b: (a[:, :1], b[:7])),  # a size-1 dimension
    (lambda m, x, y: -(x * y) + 2 - x, lambda a, b: (a[None, :, :], b[5:15])),  # missing leading dimensions
    (lambda m, x, y: m.sigmoid(x) * y + 1, lambda a, b: (a[:0], b[:10])),  # no elements
    (lambda m, x, y: m.exp(x) * y + x, lambda a, b: (a[2:4, 3:], b[:1])),  # an offset view, a 1-element vector
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("build, pick", HOST_CASES)
def test_fused_host_nodes_run_one_c_loop(build, pick, dtype):
    base = _inputs([(7, 10), (30,)], "float64", seed=3)
    values = [v.astype(dtype) for v in pick(*base)]
    variables = [tensor(f"v{k}", dtype, v.ndim) for k, v in enumerate(values)]
    f = function(variables, build(GRAPH, *variables), device="cpu")
    (fused,) = [s for s in f.vm.steps if isinstance(s.node.op, Composite)]
    assert isinstance(fused.run, CThunk)  # compiled C, no NumPy in the loop
    with np.errstate(all="ignore"):
        want = build(NUMPY, *values)
    got = f(*values)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=2e-6 if want.dtype == np.float32 else 1e-13)


def test_a_0d_graph_and_0d_inputs_next_to_arrays_in_c():
    s, t, x = scalar("s", "float64"), scalar("t", "float64"), tensor("x", "float64", 3)
    f = function([s, t], exp(s) * t + 1, device="cpu")
    got = f(np.float64(0.5), np.float64(3))
    assert got.shape == () and got == np.exp(0.5) * 3 + 1
    g = function([x, s], tanh(x * s) - s, device="cpu")
    value = _inputs([(2, 3, 5)], "float64")[0]
    np.testing.assert_allclose(g(value, np.float64(-1.5)), np.tanh(value * -1.5) + 1.5, rtol=1e-13)


def test_array_constants_broadcast_in_the_c_loop():
    x = vector("x", "float64")
    table = np.arange(6, dtype=np.float64).reshape(2, 3)
    f = function([x], exp(x * table) + 1, device="cpu")
    assert ops(f.fgraph) == ["Composite{(exp((i0 * i1)) + i2)}"]
    value = np.array([0.5, -1, 2])
    got = f(value)
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got, np.exp(value * table) + 1, rtol=1e-13)


def test_shapes_that_do_not_broadcast_name_the_fused_node():
    x, y = vector("x", "float64"), vector("y", "float64")
    f = function([x, y], exp(x) * y + 1, device="cpu")
    with pytest.raises(ShapeError, match=r"Composite\{\(\(exp\(i0\) \* i1\) \+ i2\)\}.*3.*4"):
        f(np.ones(3), np.ones(4))


class _WrongDtype(BookAXPBOp):
    """The book's op returning float64 whatever its output type says."""

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = (self.a * inputs[0] + self.b).astype(np.float64)


def test_a_value_of_the_wrong_dtype_is_refused_not_misread():
    x = vector("x", "float32")
    f = function([x], exp(_WrongDtype(4, 5)(x)) * 2 + 1, device="cpu")
    with pytest.raises(DTypeError, match=r"Composite.*float64 array of shape 3, its C code takes"):
        f(np.ones(3, np.float32))


def test_integers_wrap_in_the_c_loop_as_in_numpy():
    x, y = vector("x", "int32"), vector("y", "int32")
    f = function([x, y], x * y + x - y, device="cpu")
    a = np.array([2 ** 30, -2 ** 31, 123456789, 7], np.int32)
    b = np.array([4, 3, 99, -5], np.int32)
    np.testing.assert_array_equal(f(a, b), a * b + a - b)
