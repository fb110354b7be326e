"""The nnet ops of the book's networks on the host: softmax family, pooling, embedding,
argmax and axis reductions, with typed memoryviews and OpenMP over independent rows,
planes or column blocks.

Sums (softmax denominators, averages, reduce_sum) accumulate in double for float32 inputs
too: it is free next to the memory traffic and keeps large reductions accurate, so
results can differ from NumPy's float32 pairwise sums in the last bits (they are closer
to the exact value). Max-type ops follow NumPy on NaN: a NaN wins and is propagated
(argmax returns the first NaN's index).
"""
import numpy as np

from cython.parallel cimport prange
from libc.math cimport INFINITY, log
from libc.stdint cimport int32_t, int64_t
from libc.string cimport memcpy

from cython cimport floating
from warpbench.errors import ShapeError
from warpbench.hostcode._activations cimport PAR_MIN, exp_
from warpbench.hostcode._checks import check_ids, dims, floats, indices, output, pair

# Accumulators per block of an axis-0 reduction (2 KiB of doubles on the stack), and per
# row reduction: a row is reduced as LANES independent columns so that the compiler can
# vectorize without reassociating floating-point operations (it may not at -O3).
cdef enum:
    COLS = 256
    LANES = 32


cdef inline floating _max_nan(floating acc, floating v) noexcept nogil:
    # `v != v` lets a NaN in; once acc is NaN, both tests fail and it stays.
    return v if (v > acc or v != v) else acc


cdef inline void _max_into(floating* acc, const floating* v, Py_ssize_t w) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(w):
        acc[j] = _max_nan(acc[j], v[j])


cdef inline void _add_into(double* acc, const floating* v, Py_ssize_t w) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(w):
        acc[j] += v[j]


cdef inline floating _max(const floating* r, Py_ssize_t n) noexcept nogil:
    cdef floating acc[LANES]
    cdef floating m = -INFINITY
    cdef Py_ssize_t j, nw = n - n % LANES
    for j in range(LANES):
        acc[j] = -INFINITY
    for j in range(nw // LANES):
        _max_into(acc, r + j * LANES, LANES)
    _max_into(acc, r + nw, n - nw)
    for j in range(LANES):
        m = _max_nan(m, acc[j])
    return m


cdef inline double _sum(const floating* r, Py_ssize_t n) noexcept nogil:
    cdef double acc[LANES]
    cdef double s = 0
    cdef Py_ssize_t j, nw = n - n % LANES
    for j in range(LANES):
        acc[j] = 0
    for j in range(nw // LANES):
        _add_into(acc, r + j * LANES, LANES)
    _add_into(acc, r + nw, n - nw)
    for j in range(LANES):
        s += acc[j]
    return s


cdef inline double _log_sum_exp(const floating* r, Py_ssize_t n, floating mx) noexcept nogil:
    """log(sum(exp(r - mx))): with mx the row max every exponent is <= 0, no overflow."""
    cdef double s = 0
    cdef Py_ssize_t j
    for j in range(n):
        s += exp_(r[j] - mx)
    return log(s)


cdef inline double _exp_shifted(const floating* r, floating* o, Py_ssize_t n,
                                floating mx) noexcept nogil:
    """o = exp(r - mx); returns sum(o). (A helper, so prange sees no `+=` reduction.)"""
    cdef double s = 0
    cdef Py_ssize_t j
    for j in range(n):
        o[j] = exp_(r[j] - mx)
        s += o[j]
    return s


def _softmax_impl(const floating[:, ::1] x, floating[:, ::1] out, bint take_log):
    cdef Py_ssize_t i, j, m = x.shape[0], n = x.shape[1]
    cdef floating mx, scale
    for i in prange(m, nogil=True, schedule="static", use_threads_if=m * n > PAR_MIN):
        mx = _max(&x[i, 0], n)
        if take_log:
            scale = <floating>_log_sum_exp(&x[i, 0], n, mx)
            for j in range(n):
                out[i, j] = (x[i, j] - mx) - scale
        else:
            scale = <floating>(1 / _exp_shifted(&x[i, 0], &out[i, 0], n, mx))
            for j in range(n):
                out[i, j] = out[i, j] * scale


def _rowwise(fn, x, out, take_log):
    x = floats(fn, "x", x, 2)
    out = output(fn, "out", out, x.shape, x.dtype)
    _softmax_impl(x, out, take_log)
    return out


def softmax(x, out=None):
    """Row softmax of x (M, N), float32 or float64, stable (max subtracted); out (M, N).

    ``out`` may be x itself.
    """
    return _rowwise("softmax", x, out, False)


def log_softmax(x, out=None):
    """Row log-softmax x - max - log(sum(exp(x - max))) of x (M, N); out (M, N), may be x."""
    return _rowwise("log_softmax", x, out, True)


def _cross_entropy_impl(const floating[:, ::1] x, const int64_t[::1] labels,
                        floating[::1] out):
    cdef Py_ssize_t i, m = x.shape[0], n = x.shape[1]
    cdef floating mx
    for i in prange(m, nogil=True, schedule="static", use_threads_if=m * n > PAR_MIN):
        mx = _max(&x[i, 0], n)
        out[i] = <floating>(_log_sum_exp(&x[i, 0], n, mx) - (x[i, labels[i]] - mx))


def cross_entropy(logits, labels, out=None):
    """Per-row loss -log_softmax(logits)[i, labels[i]]: logits (M, N) float32/float64,
    labels (M,) int32 or int64 in [0, N); returns (M,) in logits' dtype.
    """
    fn = "cross_entropy"
    logits = floats(fn, "logits", logits, 2)
    labels = indices(fn, "labels", labels)
    m, n = logits.shape
    if labels.shape != (m,):
        raise ShapeError(f"{fn}: labels has shape {dims(labels.shape)} but logits is "
                         f"{dims(logits.shape)} (expected {m} labels)")
    check_ids(fn, "labels", labels, n, f"logits has {n} classes")
    out = output(fn, "out", out, (m,), logits.dtype, no_alias=(logits,))
    _cross_entropy_impl(logits, labels, out)
    return out


def _pool_impl(const floating[:, :, ::1] x, floating[:, :, ::1] out, Py_ssize_t kh,
               Py_ssize_t kw, Py_ssize_t sh, Py_ssize_t sw, bint is_max):
    # x and out are (planes, H, W) and (planes, P, Q).
    cdef Py_ssize_t c, p, q, r, np_ = x.shape[0], wd = x.shape[2]
    cdef Py_ssize_t pp = out.shape[1], qq = out.shape[2]
    cdef double acc
    cdef const floating* win
    for c in prange(np_, nogil=True, schedule="static",
                    use_threads_if=np_ * pp * qq * kh * kw > PAR_MIN):
        for p in range(pp):
            for q in range(qq):
                win = &x[c, p * sh, q * sw]
                acc = -INFINITY if is_max else 0
                for r in range(kh):
                    if is_max:
                        acc = _max_nan(acc, <double>_max(win + r * wd, kw))
                    else:
                        acc = acc + _sum(win + r * wd, kw)
                out[c, p, q] = <floating>(acc if is_max else acc / (kh * kw))


def _pool(fn, x, k, stride, out, is_max):
    x = floats(fn, "x", x, 4)
    kh, kw = pair(fn, "k", k, 1)
    sh, sw = pair(fn, "stride", (kh, kw) if stride is None else stride, 1)
    n, c, h, w = x.shape
    if kh > h or kw > w:
        raise ShapeError(f"{fn}: window {kh}x{kw} is larger than the input plane {h}x{w}")
    p, q = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = output(fn, "out", out, (n, c, p, q), x.dtype, no_alias=(x,))
    _pool_impl(x.reshape(n * c, h, w), out.reshape(n * c, p, q), kh, kw, sh, sw, is_max)
    return out


def maxpool2d(x, k, stride=None, out=None):
    """Max pooling of x (N, C, H, W) float32/float64, no padding, window k (int or pair),
    stride (default k): out (N, C, (H-kh)//sh + 1, (W-kw)//sw + 1).
    """
    return _pool("maxpool2d", x, k, stride, out, True)


def avgpool2d(x, k, stride=None, out=None):
    """Average pooling of x (N, C, H, W) float32/float64, no padding, window k (int or
    pair), stride (default k): out (N, C, (H-kh)//sh + 1, (W-kw)//sw + 1).
    """
    return _pool("avgpool2d", x, k, stride, out, False)


def global_avgpool(x, out=None):
    """Mean over H and W of x (N, C, H, W) float32/float64: out (N, C)."""
    fn = "global_avgpool"
    x = floats(fn, "x", x, 4)
    n, c, h, w = x.shape
    if h * w == 0:
        raise ShapeError(f"{fn}: x (N, C, H, W) is {dims(x.shape)}, an empty plane has no mean")
    out = output(fn, "out", out, (n, c), x.dtype, no_alias=(x,))
    _reduce_impl(x.reshape(n * c, h * w), out.reshape(-1), 1, False, h * w)
    return out


def _embedding_impl(const floating[:, ::1] table, const int64_t[::1] ids,
                    floating[:, ::1] out):
    cdef Py_ssize_t i, n = ids.shape[0], d = table.shape[1]
    for i in prange(n, nogil=True, schedule="static", use_threads_if=n * d > PAR_MIN):
        memcpy(&out[i, 0], &table[ids[i], 0], d * sizeof(floating))


def embedding(table, ids, out=None):
    """Rows of table (V, D) float32/float64 gathered by ids (any shape, int32/int64, each
    in [0, V)): out ids.shape + (D,).
    """
    fn = "embedding"
    table = floats(fn, "table", table, 2)
    ids = indices(fn, "ids", ids)
    v, d = table.shape
    check_ids(fn, "ids", ids, v, f"table has {v} rows")
    out = output(fn, "out", out, ids.shape + (d,), table.dtype, no_alias=(table,))
    _embedding_impl(table, ids.reshape(-1), out.reshape(-1, d))
    return out


cdef inline Py_ssize_t _first(const floating* r, Py_ssize_t n, floating v) noexcept nogil:
    """Index of the first element of r equal to v (to the first NaN when v is NaN), or n."""
    cdef Py_ssize_t j
    for j in range(n):
        if r[j] == v or (v != v and r[j] != r[j]):
            return j
    return n


def _argmax_impl(const floating[:, ::1] x, int32_t[::1] out):
    # The vectorized max first, then the first position holding it.
    cdef Py_ssize_t i, m = x.shape[0], n = x.shape[1]
    for i in prange(m, nogil=True, schedule="static", use_threads_if=m * n > PAR_MIN):
        out[i] = <int32_t>_first(&x[i, 0], n, _max(&x[i, 0], n))


def argmax(x, out=None):
    """Index of the max along the last axis of x (M, N) float32/float64: int32 (M,).

    Ties give the first index and a NaN wins, as numpy.argmax.
    """
    fn = "argmax"
    x = floats(fn, "x", x, 2)
    m, n = x.shape
    if n == 0 or n > 2**31 - 1:
        raise ShapeError(f"{fn}: x is {dims(x.shape)}; rows need 1 to 2**31-1 elements")
    out = output(fn, "out", out, (m,), np.int32)
    _argmax_impl(x, out)
    return out


cdef inline void _reduce_cols(const floating* x, Py_ssize_t m, Py_ssize_t n, Py_ssize_t j0,
                              Py_ssize_t w, floating* out, bint is_max,
                              double divisor) noexcept nogil:
    # Columns j0 .. j0+w of an axis-0 reduction: rows are streamed in order, w accumulators
    # live on this thread's stack.
    cdef floating macc[COLS]
    cdef double sacc[COLS]
    cdef Py_ssize_t i, j
    for j in range(w):
        macc[j] = -INFINITY
        sacc[j] = 0
    for i in range(m):
        if is_max:
            _max_into(macc, x + i * n + j0, w)
        else:
            _add_into(sacc, x + i * n + j0, w)
    for j in range(w):
        out[j0 + j] = macc[j] if is_max else <floating>(sacc[j] / divisor)


def _reduce_impl(const floating[:, ::1] x, floating[::1] out, int axis, bint is_max,
                 double divisor):
    # Max, or sum / divisor, of x along axis (0: column blocks in parallel; 1: rows).
    cdef Py_ssize_t i, blk, m = x.shape[0], n = x.shape[1]
    cdef Py_ssize_t nblk = (n + COLS - 1) // COLS
    if axis == 0:
        for blk in prange(nblk, nogil=True, schedule="static", use_threads_if=m * n > PAR_MIN):
            _reduce_cols(&x[0, 0], m, n, blk * COLS, min(COLS, n - blk * COLS), &out[0], is_max,
                         divisor)
    else:
        for i in prange(m, nogil=True, schedule="static", use_threads_if=m * n > PAR_MIN):
            if is_max:
                out[i] = _max(&x[i, 0], n)
            else:
                out[i] = <floating>(_sum(&x[i, 0], n) / divisor)


def _reduce(fn, x, axis, out, is_max):
    x = floats(fn, "x", x, 2)
    if axis not in (0, 1, -1, -2):
        raise ShapeError(f"{fn}: axis {axis} out of range for 2-D x ({dims(x.shape)})")
    axis %= 2
    if is_max and x.shape[axis] == 0:
        raise ShapeError(f"{fn}: x is {dims(x.shape)}, an empty axis {axis} has no max")
    out = output(fn, "out", out, (x.shape[1 - axis],), x.dtype, no_alias=(x,))
    _reduce_impl(x, out, axis, is_max, 1.0)
    return out


def reduce_sum(x, axis, out=None):
    """Sum of x (M, N) float32/float64 along axis 0 -> (N,) or 1 -> (M,) (double
    accumulator); axis may also be -2 or -1.
    """
    return _reduce("reduce_sum", x, axis, out, False)


def reduce_max(x, axis, out=None):
    """Max of x (M, N) float32/float64 along axis 0 -> (N,) or 1 -> (M,), NaN
    propagating; axis may also be -2 or -1. An empty axis is an error.
    """
    return _reduce("reduce_max", x, axis, out, True)
