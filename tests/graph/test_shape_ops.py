"""dimshuffle, .T, reshape, flatten, concatenate, stack: values, gradients on cpu and emu,
cpu/emu agreement, dimshuffle on the device, and one-line errors naming the node for extents
that do not fit."""
import numpy as np
import pytest

from warpbench.errors import ShapeError
from warpbench.graph import (AxisError, concatenate, dimshuffle, flatten, function, matrix, reshape, stack, tensor,
                             transpose, vector, verify_grad)

from warpbench.graph.shape_ops import DimShuffle

from .agree import assert_cpu_and_emu_agree, assert_on_device, device  # noqa: F401 (device is a fixture)

T3 = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def _run(build, *values, device="cpu"):
    inputs = [tensor(f"i{k}", v.dtype, v.ndim) for k, v in enumerate(values)]
    return function(inputs, build(*inputs), device=device)(*values)


@pytest.mark.parametrize("pattern, reference", [
    ((2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    ((0, "x", 1, 2), lambda a: a[:, None]),
    (("x", 2, 1, 0, "x"), lambda a: a.transpose(2, 1, 0)[None, ..., None]),
])
def test_dimshuffle_reorders_and_adds_axes(pattern, reference, device):
    got = _run(lambda x: x.dimshuffle(*pattern), T3, device=device)
    np.testing.assert_array_equal(got, reference(T3))
    assert got.flags.c_contiguous


def test_dimshuffle_drops_only_axes_of_extent_1(device):
    got = _run(lambda x: dimshuffle(x, [2, 0]), T3[:, :1, :], device=device)
    np.testing.assert_array_equal(got, T3[:, 0, :].T)
    with pytest.raises(ShapeError, match=r"DimShuffle\{2,0\}.*axis 1 has extent 3 .*only an axis of extent 1"):
        _run(lambda x: dimshuffle(x, 2, 0), T3, device=device)
    with pytest.raises(AxisError, match="axis 3 is out of range for x"):
        tensor("x", ndim=3).dimshuffle(3, 0, 1)
    with pytest.raises(AxisError, match="appears twice"):
        tensor("x", ndim=3).dimshuffle(0, 0, 1)


@pytest.mark.parametrize("dtype", ["float64", "int32", "float32"])
@pytest.mark.parametrize("shape, pattern", [((1,), ("x", 0)), ((7, 1, 3), (2, "x", 0)), ((1, 1), ()),
                                            ((2, 3, 5, 7), (3, 1, 0, 2)), ((13,), (0, "x"))])
def test_dimshuffle_runs_on_the_device(emu, shape, pattern, dtype):
    a = np.arange(np.prod(shape)).reshape(shape).astype(dtype)
    x = tensor("x", dtype, len(shape))
    f = function([x], x.dimshuffle(*pattern) * 2, device="emu")
    assert_on_device(f, DimShuffle)
    kept = [p for p in pattern if p != "x"]
    want = np.transpose(a, kept + [i for i in range(a.ndim) if i not in kept])
    np.testing.assert_array_equal(f(a), want.reshape([1 if p == "x" else shape[p] for p in pattern]) * 2)


def test_a_broadcastable_axis_broadcasts():
    row = np.float32([1, 2, 3])
    got = _run(lambda m, v: m + v.dimshuffle("x", 0) * v.dimshuffle(0, "x"), np.zeros((3, 3), np.float32), row)
    np.testing.assert_array_equal(got, np.outer(row, row))


def test_T_reverses_every_axis():
    np.testing.assert_array_equal(_run(lambda x: x.T, T3), T3.T)
    np.testing.assert_array_equal(_run(lambda x: transpose(x, (1, 0, 2)), T3), T3.transpose(1, 0, 2))
    np.testing.assert_array_equal(_run(lambda x: x.T, T3[0]), T3[0].T)
    with pytest.raises(AxisError, match="not a permutation"):
        transpose(tensor("x", ndim=3), (0, 1))


def test_reshape_with_numbers_and_symbolic_extents(device):
    x = tensor("x", ndim=3)
    outs = [x.reshape((4, -1)), reshape(x, (x.shape[0], -1)), x.reshape(x.shape), x.reshape(24),
            reshape(x, (x.shape[2], x.shape[1], x.shape[0]))]
    got = function([x], outs, device=device)(T3)
    for g, shape in zip(got, [(4, 6), (2, 12), (2, 3, 4), (24,), (4, 3, 2)]):
        np.testing.assert_array_equal(g, T3.reshape(shape))


def test_reshape_by_an_int_vector_needs_its_length():
    x, s = tensor("x", ndim=3), vector("s", "int64")
    got = function([x, s], x.reshape(s, ndim=2), device="cpu")(T3, np.int64([6, 4]))
    np.testing.assert_array_equal(got, T3.reshape(6, 4))
    with pytest.raises(ShapeError, match="with its length ndim="):
        x.reshape(s)


def test_reshape_to_the_wrong_size_names_the_node(device):
    x = matrix("x")
    f = function([x], x.reshape((4, 2)), device=device)
    with pytest.raises(ShapeError, match=r"Reshape\{ndim=2\}.*cannot reshape 2x3 \(6 elements\) into 4x2"):
        f(np.zeros((2, 3), np.float32))
    g = function([x], x.reshape((-1, -1)), device=device)
    with pytest.raises(ShapeError, match="one -1 at most"):
        g(np.zeros((2, 3), np.float32))


@pytest.mark.parametrize("ndim, shape", [(1, (24,)), (2, (2, 12)), (3, (2, 3, 4))])
def test_flatten_keeps_the_first_ndim_minus_1_axes(ndim, shape):
    np.testing.assert_array_equal(_run(lambda x: flatten(x, ndim), T3), T3.reshape(shape))
    empty = np.zeros((0, 3, 4), np.float32)
    assert _run(lambda x: x.flatten(2), empty).shape == (0, 12)
    with pytest.raises(AxisError, match=r"flatten\(ndim=4\)"):
        flatten(tensor("x", ndim=3), 4)


def test_concatenate_and_stack_match_numpy(device):
    a, b = np.float32([[1, 2, 3]]), np.float32([[4, 5, 6], [7, 8, 9]])
    got = _run(lambda x, y: [concatenate([x, y]), concatenate([y, x, y], axis=0), concatenate([b.T, b.T], axis=-1)],
               a, b, device=device)
    np.testing.assert_array_equal(got[0], np.concatenate([a, b]))
    np.testing.assert_array_equal(got[1], np.concatenate([b, a, b]))
    np.testing.assert_array_equal(got[2], np.concatenate([b.T, b.T], axis=1))
    got = _run(lambda x, y: [stack([x, y]), stack([x, y], axis=1), stack([x, y], axis=-1)], b, b * 2, device=device)
    for g, axis in zip(got, [0, 1, 2]):
        np.testing.assert_array_equal(g, np.stack([b, b * 2], axis=axis))


def test_concatenate_refuses_mismatched_shapes_naming_the_node(device):
    x, y = matrix("x"), matrix("y")
    f = function([x, y], concatenate([x, y], axis=1), device=device)
    with pytest.raises(ShapeError, match=r"Join\{axis=1\}.*input 1 has shape 3x2, input 0 2x4; they must agree "
                                         r"except on axis 1"):
        f(np.zeros((2, 4), np.float32), np.zeros((3, 2), np.float32))
    with pytest.raises(AxisError, match=r"concatenate\(axis=2\): axis 2 is out of range"):
        concatenate([x, y], axis=2)
    with pytest.raises(ShapeError, match="same number of dimensions"):
        concatenate([x, vector("v")])


@pytest.mark.parametrize("build, shapes", [
    (lambda x: x.dimshuffle(2, "x", 0, 1) * 3, [(2, 3, 4)]),
    (lambda x: x.dimshuffle(2, 0) * 2, [(3, 1, 4)]),
    (lambda x: x.T, [(2, 3, 4)]),
    (lambda x: x.reshape((4, -1)), [(2, 3, 6)]),
    (lambda x: x.flatten(2), [(3, 1, 5)]),
    (lambda x, y: concatenate([x, y, x], axis=1), [(3, 2), (3, 5)]),
    (lambda x, y: stack([x, y * 2], axis=1), [(3, 5), (3, 5)]),
], ids=["dimshuffle", "dimshuffle_drop", "T", "reshape", "flatten", "concatenate", "stack"])
def test_verify_grad_and_cpu_emu_agreement(build, shapes, device):
    points = [np.random.default_rng(k).standard_normal(s) for k, s in enumerate(shapes)]
    verify_grad(build, points, device=device)
    if device == "emu":
        assert_cpu_and_emu_agree(build, points)
