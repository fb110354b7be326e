"""Indexing (x[i], x[:, 1:3], symbolic bounds, x[ids] for embeddings) and inc/set_subtensor:
values, gradients (repeated rows add up), cpu/emu agreement, and bad indices."""
import numpy as np
import pytest

from warpbench.errors import ShapeError, WarpbenchError
from warpbench.graph import (function, grad, inc_subtensor, matrix, scalar, set_subtensor, tensor, vector,
                             verify_grad)
from warpbench.graph.subtensor import SubtensorIndexError

from .agree import assert_cpu_and_emu_agree, device  # noqa: F401 (device is a fixture)

A = np.arange(35, dtype=np.float32).reshape(5, 7)


def test_basic_indexing_matches_numpy(device):
    x = matrix("x")
    outs = [x[1], x[:, 1:3], x[-1, ::2], x[1:4, -3:], x[::-2], x[..., 2], x[2, 3]]
    got = function([x], outs, device=device)(A)
    for g, want in zip(got, [A[1], A[:, 1:3], A[-1, ::2], A[1:4, -3:], A[::-2], A[..., 2], A[2, 3]]):
        assert g.shape == want.shape and g.flags.c_contiguous
        np.testing.assert_array_equal(g, want)
    assert str(outs[1].owner.op) == "Subtensor{:, int64:int64}"


def test_symbolic_bounds_are_inputs_of_one_op():
    x, i, n = matrix("x"), scalar("i", "int64"), scalar("n", "int32")
    f = function([x, i, n], [x[i:i + n], x[:, i]], device="cpu")
    rows, column = f(A, 1, 3)
    np.testing.assert_array_equal(rows, A[1:4])
    np.testing.assert_array_equal(column, A[:, 1])


def test_integer_array_indexing_picks_rows_and_its_gradient_adds_repeats(device):
    table, ids = matrix("table", "float64"), vector("ids", "int64")
    rows = table[ids]
    f = function([table, ids], [rows, grad((rows * rows).sum() / 2, table)], device=device)
    values = np.arange(12.0).reshape(4, 3)
    got_rows, got_grad = f(values, np.int64([2, 0, 2, -1]))
    np.testing.assert_array_equal(got_rows, values[[2, 0, 2, -1]])
    want = np.zeros_like(values)
    np.add.at(want, [2, 0, 2, -1], values[[2, 0, 2, -1]])
    np.testing.assert_array_equal(got_grad, want)
    assert table[[1, 1]].owner.op == rows.owner.op  # a list of ints is an integer array too


def test_inc_and_set_subtensor(device):
    x, y = matrix("x"), vector("y")
    ids = vector("ids", "int32")
    outs = [inc_subtensor(x[1:3, 2], y[:2]), set_subtensor(x[0], y), inc_subtensor(x[ids], y),
            set_subtensor(x[ids, ], 0.5)]
    got = function([x, y, ids], outs, device=device)(A, np.arange(7, dtype=np.float32), np.int32([4, 4]))
    want = [A.copy() for _ in outs]
    want[0][1:3, 2] += [0, 1]
    want[1][0] = np.arange(7)
    np.add.at(want[2], [4, 4], np.arange(7))
    want[3][[4, 4]] = 0.5
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("build, shapes", [
    (lambda x: x[1] + x[:, 1:3].sum() + x[-1, ::2].sum() * x[2, 3], [(4, 5)]),
    (lambda x: x[np.array([0, 2, 2, 1])] * 2, [(3, 4)]),
    (lambda x, y: inc_subtensor(x[1:3], y) * set_subtensor(x[0], y[0]), [(4, 5), (2, 5)]),
    (lambda x, y: inc_subtensor(x[[3, 0, 3]], y) + set_subtensor(x[[1]], y[:1] * 2), [(4, 5), (3, 5)]),
    (lambda x, y: set_subtensor(x[:, 1], y) * x, [(3, 4), (3,)]),
], ids=["subtensor", "advanced", "inc_set", "advanced_inc_set", "set_column"])
def test_verify_grad_and_cpu_emu_agreement(build, shapes, device):
    points = [np.random.default_rng(k).standard_normal(s) for k, s in enumerate(shapes)]
    verify_grad(build, points, device=device)
    if device == "emu":
        assert_cpu_and_emu_agree(build, points)


def test_bad_indices_are_refused_when_built():
    x = matrix("x")
    with pytest.raises(SubtensorIndexError, match=r"3 indices for x, which has 2 dimension"):
        x[1, 2, 3]
    with pytest.raises(SubtensorIndexError, match="an index must be an integer or an integer scalar variable"):
        x[0.5]
    with pytest.raises(SubtensorIndexError, match="a slice step cannot be 0"):
        x[::0]
    with pytest.raises(SubtensorIndexError, match="None \\(newaxis\\)"):
        x[None]
    with pytest.raises(WarpbenchError, match="integer vector"):
        x[vector("f")]
    with pytest.raises(SubtensorIndexError, match="index the leading axes only"):
        x[vector("ids", "int64"), 1:]
    with pytest.raises(WarpbenchError, match="inc_subtensor: the first argument must be an indexed variable"):
        inc_subtensor(x, 1.0)
    with pytest.raises(TypeError, match="symbolic"):
        list(x)


def test_an_index_out_of_range_names_the_node(device):
    x, ids = matrix("x"), vector("ids", "int64")
    f = function([x, ids], [x[4], x[ids]], device=device)
    with pytest.raises(ShapeError, match=r"Subtensor\{int64\}.*index 4 is out of bounds"):
        f(np.zeros((3, 2), np.float32), np.int64([0]))
    g = function([x, ids], x[ids], device=device)
    with pytest.raises(ShapeError, match=r"AdvancedSubtensor1.*out of bounds"):
        g(np.zeros((3, 2), np.float32), np.int64([0, 3]))


def test_the_shape_of_a_constant_index_is_known_without_running_it():
    x = tensor("x", ndim=3)
    f = function([x], x[1:, 0].shape, device="cpu")
    np.testing.assert_array_equal(f(np.zeros((4, 5, 6), np.float32)), [3, 6])
