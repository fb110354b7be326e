"""x[ids] and its gradient on a kernel device: the embedding gather and the deterministic
scatter-add kernels, against NumPy (repeated and negative ids, float32 and float64)."""
import numpy as np
import pytest

from warpbench.graph import function, grad, matrix, vector
from warpbench.graph.subtensor import SubtensorIndexError


def _device_ops(f):
    return [str(node.op) for node in f.fgraph.toposort() if node.outputs[0].type.device != "cpu"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rows_and_their_gradient_run_the_embedding_kernels(emu, dtype):
    rng = np.random.default_rng(0)
    table = rng.standard_normal((7, 5)).astype(dtype)
    ids = np.array([3, 0, 3, -1, 6, 3], np.int32)
    weights = rng.standard_normal((6, 5)).astype(dtype)
    x, i, w = matrix("x", dtype), vector("i", "int32"), matrix("w", dtype)
    rows = x[i]
    f = function([x, i, w], [rows, grad((rows * w).sum(), x)], device="emu")
    ops = _device_ops(f)
    assert "AdvancedSubtensor1" in ops and "AdvancedIncSubtensor1" in ops, ops
    got_rows, got_grad = f(table, ids, weights)
    expected = np.zeros_like(table)
    np.add.at(expected, ids, weights)
    np.testing.assert_array_equal(got_rows, table[ids])
    np.testing.assert_allclose(got_grad, expected, rtol=1e-6 if dtype == "float32" else 1e-12)


def test_an_id_out_of_range_is_one_line_naming_the_op(emu):
    x, i = matrix("x"), vector("i", "int32")
    f = function([x, i], x[i], device="emu")
    with pytest.raises(SubtensorIndexError, match="AdvancedSubtensor1.*id 9 is out of range for 4 rows"):
        f(np.ones((4, 3), np.float32), np.array([1, 9], np.int32))
