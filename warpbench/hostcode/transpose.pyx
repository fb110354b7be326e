"""Cache-blocked 2-D transpose on the host: the CPU side of the transpose study.

A naive transpose reads rows and writes columns, so every write of a large matrix touches
a new cache line (and TLB page). Copying TILE x TILE tiles keeps the source and
destination lines of one tile in cache while they are used, so each line is fetched
about once. Threads take
whole bands of tile rows: each writes a disjoint band of output columns.
"""
from cython.parallel cimport prange

from cython cimport floating
from warpbench.hostcode._activations cimport PAR_MIN
from warpbench.hostcode._checks import floats, output

# Measured on 4096^2 and 8192^2 float32 (2 threads): 64 was 5-25% faster than 16, 32,
# 128, rectangular tiles, and staging each tile through a local buffer.
cdef enum:
    TILE = 64


cdef inline void _tile(const floating* a, floating* out, Py_ssize_t m, Py_ssize_t n,
                       Py_ssize_t i0, Py_ssize_t i1, Py_ssize_t j0,
                       Py_ssize_t j1) noexcept nogil:
    cdef Py_ssize_t i, j
    # Writes run along output rows; the TILE source lines being read column-wise stay
    # cached across the tile's TILE output rows.
    for j in range(j0, j1):
        for i in range(i0, i1):
            out[j * m + i] = a[i * n + j]


def _transpose_impl(const floating[:, ::1] a, floating[:, ::1] out):
    cdef Py_ssize_t m = a.shape[0], n = a.shape[1]
    cdef Py_ssize_t tb, tj, i0, j0
    cdef Py_ssize_t nbands = (m + TILE - 1) // TILE, ncols = (n + TILE - 1) // TILE
    for tb in prange(nbands, nogil=True, schedule="static", use_threads_if=m * n > PAR_MIN):
        i0 = tb * TILE
        for tj in range(ncols):
            j0 = tj * TILE
            _tile(&a[0, 0], &out[0, 0], m, n, i0, min(i0 + TILE, m), j0, min(j0 + TILE, n))


def transpose(a, out=None):
    """a.T materialised: a is 2-D (M, N) float32/float64; returns a C-contiguous (N, M).

    ``out``, when given, is a C-contiguous (N, M) array of a's dtype not overlapping a;
    otherwise a new array is returned.
    """
    a = floats("transpose", "a", a, 2)
    out = output("transpose", "out", out, a.shape[::-1], a.dtype, no_alias=(a,))
    _transpose_impl(a, out)
    return out
