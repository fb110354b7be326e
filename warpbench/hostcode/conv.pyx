"""NCHW conv2d forward on the host: im2col per image, then one BLAS GEMM per image.

For image n, im2col lays the receptive fields out as a (C*R*S, P*Q) matrix whose row
(c, r, s) holds x[n, c, p*sh - ph + r*dh, q*sw - pw + s*dw] over all (p, q) (zero where
that falls in the padding). The weights (K, C, R, S) are already the row-major
(K, C*R*S) matrix, so out[n] (K, P*Q) = w @ col[n]: the convolution is a GEMM.

Small layers (LeNet: P*Q of 64 to 576) would make GEMMs too thin for BLAS to run well,
so images go in chunks: the chunk's im2col matrices sit side by side, (C*R*S, nb*P*Q),
one GEMM covers them all, and its (K, nb*P*Q) result is unpacked to NCHW. The bias +
ReLU epilogue runs on each chunk right after its GEMM, while it is still in cache.
"""
import numpy as np

from cython.parallel cimport prange
from libc.string cimport memcpy, memset

from cython cimport floating
from warpbench.errors import ShapeError
from warpbench.hostcode._activations cimport ACT_NONE, ACT_RELU, PAR_MIN, bias_act_rows
from warpbench.hostcode._checks import blas_extents, dims, floats, output, pair
from warpbench.hostcode._rowmajor_blas cimport gemm_rm


# Elements of the im2col buffer of one chunk of images (4 MiB of float32): large enough
# for wide GEMMs, small enough to stay in L2/L3 between im2col and GEMM.
cdef enum:
    COL_BUDGET = 1 << 20


cdef struct Geometry:
    Py_ssize_t C, H, W, R, S, P, Q, sh, sw, ph, pw, dh, dw


cdef void _im2col(const floating* x, floating* col, Py_ssize_t ldcol,
                  Geometry g) noexcept nogil:
    # One image's (C*R*S, P*Q) im2col matrix into col, whose rows are ldcol apart.
    cdef Py_ssize_t row, c, r, s, p, q, ih, off, q0, q1, last
    cdef Py_ssize_t rows = g.C * g.R * g.S, pq = g.P * g.Q
    cdef const floating* src
    cdef floating* dst
    for row in prange(rows, schedule="static", use_threads_if=rows * pq > PAR_MIN):
        c = row // (g.R * g.S)
        r = (row // g.S) % g.R
        s = row % g.S
        # Input column of output column q is q*sw + off; it is inside [0, W) exactly for
        # q in [q0, q1), the same for every p, so the padding test leaves the inner loop.
        off = s * g.dw - g.pw
        q0 = 0 if off >= 0 else (g.sw - 1 - off) // g.sw
        last = g.W - 1 - off
        q1 = 0 if last < 0 else min(g.Q, last // g.sw + 1)
        q0 = min(q0, q1)
        for p in range(g.P):
            dst = col + row * ldcol + p * g.Q
            ih = p * g.sh - g.ph + r * g.dh
            if ih < 0 or ih >= g.H:
                memset(dst, 0, g.Q * sizeof(floating))
                continue
            src = x + (c * g.H + ih) * g.W
            memset(dst, 0, q0 * sizeof(floating))
            if g.sw == 1:
                memcpy(dst + q0, src + q0 + off, (q1 - q0) * sizeof(floating))
            else:
                for q in range(q0, q1):
                    dst[q] = src[q * g.sw + off]
            memset(dst + q1, 0, (g.Q - q1) * sizeof(floating))


def _out_size(fn, h, w, r, s, stride, padding, dilation):
    """(P, Q) for a kernel r x s on an h x w input; ShapeError when it is empty."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    ext_h, ext_w = dh * (r - 1) + 1, dw * (s - 1) + 1
    p = (h + 2 * ph - ext_h) // sh + 1
    q = (w + 2 * pw - ext_w) // sw + 1
    if p < 1 or q < 1:
        raise ShapeError(f"{fn}: kernel {r}x{s} (dilated extent {ext_h}x{ext_w}) is larger "
                         f"than the padded input {h + 2 * ph}x{w + 2 * pw} (P={p}, Q={q})")
    return p, q


cdef Geometry _geometry(tuple geometry):
    """The struct form of _geometry_args' tuple, for the nogil code."""
    cdef Geometry g
    (g.C, g.H, g.W), (g.R, g.S), (g.P, g.Q), (g.sh, g.sw), (g.ph, g.pw), (g.dh, g.dw) = geometry
    return g


def _im2col_impl(const floating[:, :, ::1] x, floating[:, ::1] col, tuple geometry):
    cdef Geometry g = _geometry(geometry)
    with nogil:
        _im2col(&x[0, 0, 0], &col[0, 0], col.shape[1], g)


def _geometry_args(fn, chw, rs, stride, padding, dilation):
    """Checked ((C, H, W), (R, S), (P, Q), stride, padding, dilation) as int tuples."""
    stride = pair(fn, "stride", stride, 1)
    padding = pair(fn, "padding", padding, 0)
    dilation = pair(fn, "dilation", dilation, 1)
    c, h, w = chw
    pq = _out_size(fn, h, w, *rs, stride, padding, dilation)
    return (c, h, w), tuple(rs), pq, stride, padding, dilation


def im2col(x_n, kernel, stride=1, padding=0, dilation=1, out=None):
    """The (C*R*S, P*Q) im2col matrix of one image x_n (C, H, W), float32 or float64.

    ``kernel`` is (R, S) or an int; ``stride``, ``padding`` and ``dilation`` are ints or
    pairs. Row c*R*S + r*S + s, column p*Q + q holds
    x_n[c, p*sh - ph + r*dh, q*sw - pw + s*dw], zero in the padding.
    """
    fn = "im2col"
    x_n = floats(fn, "x_n", x_n, 3)
    geometry = _geometry_args(fn, x_n.shape, pair(fn, "kernel", kernel, 1), stride, padding,
                              dilation)
    (c, _, _), (r, s), (p, q) = geometry[:3]
    out = output(fn, "out", out, (c * r * s, p * q), x_n.dtype, no_alias=(x_n,))
    _im2col_impl(x_n, out, geometry)
    return out


cdef void _unpack(const floating* tmp, Py_ssize_t ldt, floating* out, Py_ssize_t nb,
                  Py_ssize_t k, Py_ssize_t pq) noexcept nogil:
    # tmp (K, nb*PQ), rows ldt apart, holds image i's (K, PQ) block at columns i*PQ; out
    # is the chunk's (nb, K, PQ).
    cdef Py_ssize_t row
    for row in prange(nb * k, schedule="static", use_threads_if=nb * k * pq > PAR_MIN):
        memcpy(out + row * pq, tmp + (row % k) * ldt + (row // k) * pq, pq * sizeof(floating))


def _conv_impl(const floating[:, :, :, ::1] x, const floating[:, ::1] w,
               const floating[::1] bias, floating[:, :, ::1] out, floating[:, ::1] col,
               floating[:, ::1] tmp, tuple geometry, bint epilogue, bint relu):
    # col and tmp are (C*R*S, nb*PQ) and (K, nb*PQ) for chunks of nb images; with nb == 1
    # the GEMM writes out[n] directly and tmp is unused.
    cdef Geometry g = _geometry(geometry)
    cdef Py_ssize_t chunk, n0, i, cnt, n = x.shape[0], k = w.shape[0], crs = w.shape[1]
    cdef Py_ssize_t pq = out.shape[2], ld = col.shape[1], nb = ld // pq
    # A 1x1 kernel with unit stride and no padding reads each image as it is stored.
    cdef bint direct = (g.R == 1 and g.S == 1 and g.sh == 1 and g.sw == 1
                        and g.ph == 0 and g.pw == 0)
    cdef floating* b
    with nogil:
        for chunk in range((n + nb - 1) // nb):
            n0 = chunk * nb
            cnt = min(nb, n - n0)
            if nb == 1:
                b = <floating*>&x[n0, 0, 0, 0] if direct else &col[0, 0]
                if not direct:
                    _im2col(&x[n0, 0, 0, 0], b, ld, g)
                gemm_rm(False, False, k, pq, crs, 1, <floating*>&w[0, 0], crs, b, ld, 0,
                        &out[n0, 0, 0], pq)
            else:
                for i in range(cnt):
                    _im2col(&x[n0 + i, 0, 0, 0], &col[0, i * pq], ld, g)
                gemm_rm(False, False, k, cnt * pq, crs, 1, <floating*>&w[0, 0], crs,
                        &col[0, 0], ld, 0, &tmp[0, 0], ld)
                _unpack(&tmp[0, 0], ld, &out[n0, 0, 0], cnt, k, pq)
            if epilogue:
                bias_act_rows(&out[n0, 0, 0], &bias[0], k, &out[n0, 0, 0], cnt * k, pq,
                              ACT_RELU if relu else ACT_NONE, True)


def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1, relu=False, out=None):
    """2-D convolution (cross-correlation, as in cuDNN), NCHW, float32 or float64.

    x (N, C, H, W), w (K, C, R, S), optional bias (K,), all one dtype; ``stride``,
    ``padding``, ``dilation`` are ints or (h, w) pairs. Returns the C-contiguous
    (N, K, P, Q) output, P = (H + 2*ph - dh*(R-1) - 1)//sh + 1 and Q likewise, with
    bias added and, if ``relu``, max(., 0) applied (the fused epilogue).
    """
    fn = "conv2d"
    x = floats(fn, "x", x, 4)
    w = floats(fn, "w", w, 4, dtype=x.dtype)
    n, c = x.shape[:2]
    k, cw, r, s = w.shape
    if cw != c:
        raise ShapeError(f"{fn}: x (N, C, H, W) is {dims(x.shape)} but w (K, C, R, S) is "
                         f"{dims(w.shape)} (channels {c} != {cw})")
    has_bias = bias is not None
    if not has_bias:
        # Zeros keep one epilogue path for relu without bias; the add is noise next to GEMM.
        bias = np.zeros(k, x.dtype)
    else:
        bias = floats(fn, "bias", bias, 1, dtype=x.dtype)
        if bias.shape[0] != k:
            raise ShapeError(f"{fn}: bias has length {bias.shape[0]} but w has {k} filters")
    geometry = _geometry_args(fn, x.shape[1:], (r, s), stride, padding, dilation)
    p, q = geometry[2]
    blas_extents(fn, (k, c * r * s, p * q))
    out = output(fn, "out", out, (n, k, p, q), x.dtype, no_alias=(x, w, bias))
    nb = max(1, min(n, COL_BUDGET // max(1, c * r * s * p * q)))
    blas_extents(fn, (nb * p * q,))
    col = np.empty((c * r * s, nb * p * q), x.dtype)
    tmp = np.empty((k, nb * p * q) if nb > 1 else (0, 0), x.dtype)
    _conv_impl(x, w.reshape(k, c * r * s), bias, out.reshape(n, k, p * q), col, tmp,
               geometry, has_bias or relu, relu)
    return out
