"""Shapes in device graphs: the model of a Fill in an emu graph is made there
(GpuShapedZeros), from shapes alone, and a shape learnt on the host reads the shapes of
device values, with no transfer either way."""
import numpy as np
import pytest

from warpbench.graph import dot, exp, fill, function, grad, mean, shared, tensor
from warpbench.graph.shape import InferredShape, ShapedZeros
from warpbench.graph.stand_in import GpuShapedZeros
from warpbench.graph.transfer import GpuFromHost, HostFromGpu, placement

from .agree import assert_on_device


@pytest.mark.parametrize("shape", [(1,), (7, 1, 3), (2, 0)])
def test_a_fill_model_is_made_on_the_device(emu, shape):
    x = tensor("x", "float64", len(shape))
    f = function([x], fill(exp(x) * x, 2.5) + 1, device="emu")
    (node,) = assert_on_device(f, GpuShapedZeros)
    assert node.inputs == [x]  # read for its shape: the host input itself, no transfer
    ops = [type(n.op).__name__ for n in f.fgraph.toposort()]
    assert "Exp" not in ops and "GpuFromHost" not in ops
    got = f(np.random.default_rng(0).standard_normal(shape))
    np.testing.assert_array_equal(got, np.full(shape, 3.5))


def test_a_gradient_through_a_sum_has_no_host_stand_in(emu):
    x = tensor("x", "float32", 3)
    f = function([x], grad((exp(x) * 2).sum(axis=(0, 2)).sum(), x), device="emu")
    nodes = f.fgraph.toposort()
    assert any(isinstance(n.op, GpuShapedZeros) for n in nodes)
    assert not any(isinstance(n.op, ShapedZeros) and placement(n) == "cpu" for n in nodes)
    assert sum(isinstance(n.op, GpuFromHost) for n in nodes) == 1  # x itself
    a = np.random.default_rng(1).standard_normal((2, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(f(a), 2 * np.exp(a), rtol=1e-6)


def test_a_shape_learnt_on_the_host_reads_a_device_value_where_it_lives(emu):
    w = shared(np.ones((3, 4)), "w")
    x = tensor("x", "float64", 2)
    f = function([x], mean(dot(x, w), axis=1) + 1, device="emu")
    nodes = f.fgraph.toposort()
    learnt = [n for n in nodes if type(n.op) is InferredShape]
    sources = [v for n in learnt for v in n.inputs]
    assert any(v.type.device == "emu" for v in sources)
    assert not any(v.owner is not None and isinstance(v.owner.op, HostFromGpu) for v in sources)
    assert sum(isinstance(n.op, HostFromGpu) for n in nodes) == 1  # the output only
    a = np.random.default_rng(2).standard_normal((5, 3))
    np.testing.assert_allclose(f(a), (a @ np.ones((3, 4))).mean(axis=1) + 1)


@pytest.mark.parametrize("dtype, shape", [("float32", (3, 1, 5)), ("float64", (1, 1, 1)), ("float64", (7, 13, 2))])
def test_the_device_stand_in_writes_every_zero(emu, monkeypatch, dtype, shape):
    allocate = emu.empty
    monkeypatch.setattr(emu, "empty", lambda s, d, fill=None: allocate(s, d, fill=np.nan if fill is None else fill))
    x = tensor("x", dtype, 3)
    stand_in = GpuShapedZeros(exp(x), [x], "emu")
    node = stand_in.make_node(x)
    cells = [[None]]
    stand_in.perform_device(node, emu.compile(stand_in.device_kernel(node)), [np.ones(shape, dtype)], cells)
    got = cells[0][0].get()
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, np.zeros(shape))
