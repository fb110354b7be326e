"""hostcode.blas (GEMM/GEMV via scipy's BLAS) against NumPy matmul, row-major conventions."""
import itertools

import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError
from warpbench.hostcode import blas

DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=1e-4, atol=1e-4), np.float64: dict(rtol=1e-12, atol=1e-12)}
MNK = [(1, 1, 1), (1, 7, 1), (7, 1, 13), (13, 31, 7), (64, 65, 63), (3, 5, 257),
       (0, 3, 4), (3, 0, 4), (3, 4, 0)]


def rand(shape, dtype, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def stored(shape, trans, dtype, seed):
    """(op(X), X) where X is stored transposed when trans is set."""
    x = rand(shape[::-1] if trans else shape, dtype, seed)
    return (x.T if trans else x), x


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("trans_a,trans_b", list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize("m,n,k", MNK)
def test_gemm(m, n, k, trans_a, trans_b, dtype):
    op_a, a = stored((m, k), trans_a, dtype, 0)
    op_b, b = stored((k, n), trans_b, dtype, 1)
    ref = op_a.astype(np.float64) @ op_b
    c = np.full((m, n), np.nan, dtype)
    assert blas.gemm(a, b, c, trans_a=trans_a, trans_b=trans_b) is c
    np.testing.assert_allclose(c, ref, **TOL[dtype])
    c0 = rand((m, n), dtype, 2)
    got = blas.gemm(a, b, c0.copy(), alpha=-0.5, beta=2.0, trans_a=trans_a, trans_b=trans_b)
    np.testing.assert_allclose(got, -0.5 * ref + 2.0 * c0, **TOL[dtype])
    new = blas.gemm(a, b, alpha=3.0, trans_a=trans_a, trans_b=trans_b)
    assert new.shape == (m, n) and new.dtype == dtype and new.flags.c_contiguous
    np.testing.assert_allclose(new, 3.0 * ref, **TOL[dtype])


def test_gemm_non_contiguous_operands():
    a, b = rand((20, 14), np.float64, 0), rand((7, 30), np.float64, 1)
    np.testing.assert_allclose(blas.gemm(a[::2, ::2], b[:, ::3]), a[::2, ::2] @ b[:, ::3])
    np.testing.assert_allclose(blas.gemm(a.T, a), a.T @ a)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("trans", [False, True])
@pytest.mark.parametrize("m,n", [(1, 1), (1, 13), (31, 1), (7, 13), (65, 63), (0, 4), (4, 0)])
def test_gemv(m, n, trans, dtype):
    a = rand((m, n), dtype, 0)
    op_a = a.T if trans else a
    x = rand(op_a.shape[1], dtype, 1)
    ref = op_a.astype(np.float64) @ x
    y = np.full(op_a.shape[0], np.nan, dtype)
    assert blas.gemv(a, x, y, trans=trans) is y
    np.testing.assert_allclose(y, ref, **TOL[dtype])
    y0 = rand(op_a.shape[0], dtype, 2)
    got = blas.gemv(a, x, y0.copy(), alpha=2.0, beta=-1.0, trans=trans)
    np.testing.assert_allclose(got, 2.0 * ref - y0, **TOL[dtype])


def test_gemm_errors():
    a, b = np.zeros((3, 4)), np.zeros((5, 6))
    msg = r"^gemm: A is 3x4 but B is 5x6 \(inner dimensions 4 != 5\)$"
    with pytest.raises(ShapeError, match=msg):
        blas.gemm(a, b)
    msg = r"gemm: A.T is 4x3 but B.T is 6x5 \(inner dimensions 3 != 6\)"
    with pytest.raises(ShapeError, match=msg):
        blas.gemm(a, b, trans_a=True, trans_b=True)
    with pytest.raises(ShapeError, match="gemm: beta=1.0 needs an input C, got C=None"):
        blas.gemm(a, a.T, beta=1.0)
    msg = r"gemm: B dtype float32 does not match the other operands \(float64\)"
    with pytest.raises(DTypeError, match=msg):
        blas.gemm(a, np.zeros((4, 2), np.float32))
    with pytest.raises(DTypeError, match="gemm: A dtype float16 not supported"):
        blas.gemm(a.astype(np.float16), a.T)
    with pytest.raises(ShapeError, match="gemm: C has shape 4x4, expected 3x3"):
        blas.gemm(a, a.T, np.zeros((4, 4)))
    with pytest.raises(ShapeError, match="gemm: A must be 2-D, got shape 12"):
        blas.gemm(np.zeros(12), a)
    sq = np.eye(3)
    with pytest.raises(ShapeError, match="gemm: C overlaps an input"):
        blas.gemm(sq, sq, sq)


def test_gemv_errors():
    a = np.zeros((3, 4))
    with pytest.raises(ShapeError, match=r"gemv: A is 3x4 but x has length 3 \(4 != 3\)"):
        blas.gemv(a, np.zeros(3))
    with pytest.raises(ShapeError, match=r"gemv: A.T is 4x3 but x has length 4 \(3 != 4\)"):
        blas.gemv(a, np.zeros(4), trans=True)
    with pytest.raises(ShapeError, match="gemv: y has shape 4, expected 3"):
        blas.gemv(a, np.zeros(4), np.zeros(4))
    with pytest.raises(ShapeError, match="gemv: beta=2 needs an input y"):
        blas.gemv(a, np.zeros(4), beta=2)
