# Row-major GEMM/GEMV on top of SciPy's Fortran (column-major) BLAS, callable without
# the GIL. A row-major m x n matrix with leading dimension ld is, byte for byte, the
# column-major n x m matrix with the same ld, i.e. its transpose; so row-major
# C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands and the
# dimensions, keep the transpose flags.
from cython cimport floating
from scipy.linalg.cython_blas cimport dgemm, dgemv, sgemm, sgemv


cdef inline void scale_rows(int m, int n, floating beta, floating* c, int ldc) noexcept nogil:
    """C = beta C, with beta == 0 writing zeros (never 0 * NaN) as BLAS does."""
    cdef Py_ssize_t i, j
    for i in range(m):
        for j in range(n):
            c[i * ldc + j] = 0 if beta == 0 else beta * c[i * ldc + j]


cdef inline void gemm_rm(bint trans_a, bint trans_b, int m, int n, int k, floating alpha,
                         floating* a, int lda, floating* b, int ldb, floating beta,
                         floating* c, int ldc) noexcept nogil:
    """C (m x n, ld ldc) = alpha op(A) op(B) + beta C, all row-major."""
    cdef char ta = b'T' if trans_a else b'N'
    cdef char tb = b'T' if trans_b else b'N'
    if m == 0 or n == 0:
        return
    if k == 0:
        # Done here rather than trusting each BLAS build's quick-return rules for k == 0;
        # it also keeps a zero leading dimension (which BLAS rejects) away from BLAS.
        scale_rows(m, n, beta, c, ldc)
        return
    if floating is float:
        sgemm(&tb, &ta, &n, &m, &k, &alpha, b, &ldb, a, &lda, &beta, c, &ldc)
    else:
        dgemm(&tb, &ta, &n, &m, &k, &alpha, b, &ldb, a, &lda, &beta, c, &ldc)


cdef inline void gemv_rm(bint trans, int m, int n, floating alpha, floating* a, int lda,
                         floating* x, floating beta, floating* y) noexcept nogil:
    """y = alpha op(A) x + beta y for row-major A (m x n, ld lda), unit strides."""
    # Row-major A is column-major A^T (n x m), so the Fortran flag is the opposite one.
    cdef char t = b'N' if trans else b'T'
    cdef int one = 1
    if (n if trans else m) == 0:
        return
    if (m if trans else n) == 0:
        # A Fortran GEMV with an empty x returns early without scaling y.
        scale_rows(1, n if trans else m, beta, y, 0)
        return
    if floating is float:
        sgemv(&t, &n, &m, &alpha, a, &lda, x, &one, &beta, y, &one)
    else:
        dgemv(&t, &n, &m, &alpha, a, &lda, x, &one, &beta, y, &one)
