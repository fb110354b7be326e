"""GEMM and GEMV on the host, row-major, through SciPy's BLAS with the GIL released.

We do not hand-write what BLAS does well: these are thin, checked wrappers that give the
CPU side of the GPU GEMM/GEMV comparisons the same conventions as the kernels.
"""
import numpy as np

from cython cimport floating
from warpbench.errors import ShapeError
from warpbench.hostcode._checks import blas_extents, floats, output
from warpbench.hostcode._rowmajor_blas cimport gemm_rm, gemv_rm


def _gemm_impl(const floating[:, ::1] a, const floating[:, ::1] b, floating[:, ::1] c,
               double alpha, double beta, bint trans_a, bint trans_b):
    cdef int m = c.shape[0], n = c.shape[1]
    cdef int k = a.shape[0] if trans_a else a.shape[1]
    with nogil:
        # &v[0, 0] of an empty view is only an address (bounds checks are off); the
        # helpers never dereference it.
        gemm_rm(trans_a, trans_b, m, n, k, <floating>alpha, <floating*>&a[0, 0], a.shape[1],
                <floating*>&b[0, 0], b.shape[1], <floating>beta, &c[0, 0], n)


def gemm(A, B, C=None, alpha=1.0, beta=0.0, trans_a=False, trans_b=False):
    """C = alpha * op(A) @ op(B) + beta * C, row-major, float32 or float64.

    op(A) is A (M, K) or, with ``trans_a``, A.T for A stored (K, M); likewise op(B) is
    (K, N). A, B and C share one dtype. C, when given, is (M, N) C-contiguous and is
    updated in place and returned (it must not overlap A or B); when None, ``beta`` must
    be 0 and a new (M, N) array is returned. K == 0 gives beta * C (zeros for beta == 0).
    """
    fn = "gemm"
    A = floats(fn, "A", A, 2)
    B = floats(fn, "B", B, 2, dtype=A.dtype)
    m, ka = A.shape[::-1] if trans_a else A.shape
    kb, n = B.shape[::-1] if trans_b else B.shape
    if ka != kb:
        raise ShapeError(f"{fn}: {'A.T' if trans_a else 'A'} is {m}x{ka} but "
                         f"{'B.T' if trans_b else 'B'} is {kb}x{n} "
                         f"(inner dimensions {ka} != {kb})")
    blas_extents(fn, (m, n, ka))
    if C is None and beta != 0:
        raise ShapeError(f"{fn}: beta={beta} needs an input C, got C=None")
    C = output(fn, "C", C, (m, n), A.dtype, no_alias=(A, B))
    _gemm_impl(A, B, C, alpha, beta, trans_a, trans_b)
    return C


def _gemv_impl(const floating[:, ::1] a, const floating[::1] x, floating[::1] y,
               double alpha, double beta, bint trans):
    with nogil:
        gemv_rm(trans, a.shape[0], a.shape[1], <floating>alpha, <floating*>&a[0, 0],
                a.shape[1], <floating*>&x[0], <floating>beta, &y[0])


def gemv(A, x, y=None, alpha=1.0, beta=0.0, trans=False):
    """y = alpha * op(A) @ x + beta * y, row-major, float32 or float64.

    A is (M, N); op(A) is A, or A.T with ``trans``. x is 1-D of length N (M with
    ``trans``); y is 1-D of length M (N with ``trans``), C-contiguous, updated in place and
    returned (it must not overlap A or x). When y is None, ``beta`` must be 0 and a new
    array is returned.
    """
    fn = "gemv"
    A = floats(fn, "A", A, 2)
    x = floats(fn, "x", x, 1, dtype=A.dtype)
    rows, cols = A.shape[::-1] if trans else A.shape
    if x.shape[0] != cols:
        raise ShapeError(f"{fn}: {'A.T' if trans else 'A'} is {rows}x{cols} but x has "
                         f"length {x.shape[0]} ({cols} != {x.shape[0]})")
    blas_extents(fn, A.shape)
    if y is None and beta != 0:
        raise ShapeError(f"{fn}: beta={beta} needs an input y, got y=None")
    y = output(fn, "y", y, (rows,), A.dtype, no_alias=(A, x))
    _gemv_impl(A, x, y, alpha, beta, trans)
    return y
