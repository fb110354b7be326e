"""LSTM forward on the host, with exactly the conventions of the GPU kernels.

Layout: x (T, B, I); W (I, 4H), U (H, 4H), b (4H,); gate order i, f, g, o along the 4H
axis (i, f, o sigmoid; g tanh); c' = f*c + i*g; h' = o*tanh(c'). The sequence does one
GEMM for the input projections of all steps, (T*B, I) @ (I, 4H) on top of b, then per
step one recurrent GEMM h @ U added in place and the fused cell, all without the GIL.
"""
import numpy as np

from cython.parallel cimport prange

from cython cimport floating
from warpbench.errors import ShapeError
from warpbench.hostcode._activations cimport PAR_MIN, sigmoid, tanh_
from warpbench.hostcode._checks import blas_extents, dims, floats, output
from warpbench.hostcode._rowmajor_blas cimport gemm_rm


cdef inline void _cell_rows(const floating* gates, const floating* c_prev, floating* h,
                            Py_ssize_t ldh, floating* c, Py_ssize_t nb,
                            Py_ssize_t nh) noexcept nogil:
    # Rows of gates are 4H apart, rows of c and c_prev H apart, rows of h ldh apart (so a
    # bidirectional run writes each direction straight into its half of the output).
    # c may be c_prev: each element is read before it is written.
    cdef Py_ssize_t bi, j
    cdef const floating* gr
    cdef floating cn
    for bi in prange(nb, schedule="static", use_threads_if=nb * nh > PAR_MIN):
        gr = gates + bi * 4 * nh
        for j in range(nh):
            cn = (sigmoid(gr[nh + j]) * c_prev[bi * nh + j]
                  + sigmoid(gr[j]) * tanh_(gr[2 * nh + j]))
            c[bi * nh + j] = cn
            h[bi * ldh + j] = sigmoid(gr[3 * nh + j]) * tanh_(cn)


def _cell_impl(const floating[:, ::1] gates, const floating[:, ::1] c_prev,
               floating[:, ::1] h, floating[:, ::1] c):
    with nogil:
        _cell_rows(&gates[0, 0], &c_prev[0, 0], &h[0, 0], h.shape[1], &c[0, 0], h.shape[0],
                   h.shape[1])


def lstm_cell(gates, c_prev, h_out=None, c_out=None):
    """One LSTM step from pre-activations: returns (h, c), each (B, H).

    gates (B, 4H) = x @ W + h @ U + b, in gate order i, f, g, o; c_prev (B, H); float32 or
    float64, one dtype. ``c_out`` may be c_prev (in-place update); ``h_out`` must not
    overlap the inputs.
    """
    fn = "lstm_cell"
    gates = floats(fn, "gates", gates, 2)
    c_prev = floats(fn, "c_prev", c_prev, 2, dtype=gates.dtype)
    nb, nh = c_prev.shape
    if gates.shape != (nb, 4 * nh):
        raise ShapeError(f"{fn}: gates is {dims(gates.shape)} but c_prev is {dims(c_prev.shape)}"
                         f" (expected gates {dims((nb, 4 * nh))})")
    h = output(fn, "h_out", h_out, (nb, nh), gates.dtype, no_alias=(gates, c_prev))
    c = output(fn, "c_out", c_out, (nb, nh), gates.dtype, no_alias=(gates, h))
    _cell_impl(gates, c_prev, h, c)
    return h, c


cdef void _sequence(floating* g, const floating* u, const floating* h0, floating* c,
                    floating* hs, Py_ssize_t ldh, Py_ssize_t nt, Py_ssize_t nb,
                    Py_ssize_t nh, bint reverse) noexcept nogil:
    # g (T, B, 4H) holds x@W + b and gets h@U added step by step; c (B, H) starts as c0
    # and ends as c_T; step t's h (B, H) goes to hs + t*B*ldh with rows ldh apart.
    cdef Py_ssize_t step, t
    cdef const floating* h_prev = h0
    cdef Py_ssize_t ld_prev = nh
    for step in range(nt):
        t = nt - 1 - step if reverse else step
        gemm_rm(False, False, nb, 4 * nh, nh, 1, <floating*>h_prev, ld_prev, <floating*>u,
                4 * nh, 1, g + t * nb * 4 * nh, 4 * nh)
        _cell_rows(g + t * nb * 4 * nh, c, hs + t * nb * ldh, ldh, c, nb, nh)
        h_prev = hs + t * nb * ldh
        ld_prev = ldh


def _direction_impl(const floating[:, ::1] x2, const floating[:, ::1] w,
                    const floating[:, ::1] u, floating[:, ::1] g, const floating[:, ::1] h0,
                    floating[:, ::1] c, floating[:, :, :] hs, bint reverse):
    # hs is a (T, B, H) view whose last axis is contiguous and whose rows may be further
    # apart than H (one half of a bidirectional output).
    cdef Py_ssize_t nh = u.shape[0], nt = hs.shape[0], nb = hs.shape[1]
    cdef Py_ssize_t ldh = hs.strides[1] // sizeof(floating)
    with nogil:
        gemm_rm(False, False, x2.shape[0], 4 * nh, x2.shape[1], 1, <floating*>&x2[0, 0],
                x2.shape[1], <floating*>&w[0, 0], 4 * nh, 1, &g[0, 0], 4 * nh)
        _sequence(&g[0, 0], &u[0, 0], &h0[0, 0], &c[0, 0], &hs[0, 0, 0], ldh, nt, nb, nh,
                  reverse)


def _params(fn, which, params, x, h0, c0):
    """Checked (W, U, b, h0, c0) of one direction; H comes from U's row count."""
    try:
        w, u, b = params
    except (TypeError, ValueError):
        raise ShapeError(f"{fn}: {which}params must be a (W, U, b) triple") from None
    nt, nb, ni = x.shape
    u = floats(fn, f"{which}U", u, 2, dtype=x.dtype)
    nh = u.shape[0]
    w = floats(fn, f"{which}W", w, 2, dtype=x.dtype)
    b = floats(fn, f"{which}b", b, 1, dtype=x.dtype)
    for name, arr, want in (("U", u, (nh, 4 * nh)), ("W", w, (ni, 4 * nh)), ("b", b, (4 * nh,)),
                            ("h0", h0, (nb, nh)), ("c0", c0, (nb, nh))):
        if arr is not None and np.shape(arr) != want:
            raise ShapeError(f"{fn}: {which}{name} is {dims(np.shape(arr))}, expected "
                             f"{dims(want)} (input size {ni}, hidden size {nh}, batch {nb})")
    h0 = np.zeros((nb, nh), x.dtype) if h0 is None else floats(fn, "h0", h0, 2, dtype=x.dtype)
    c0 = np.zeros((nb, nh), x.dtype) if c0 is None else floats(fn, "c0", c0, 2, dtype=x.dtype)
    blas_extents(fn, (nt * nb, ni, 4 * nh))
    return w, u, b, h0, c0


def _run_direction(x, w, u, b, h0, c0, hs, reverse):
    """Run one direction into the (T, B, H) view hs; returns c_T (a new array)."""
    nt, nb, ni = x.shape
    g = np.empty((nt * nb, 4 * u.shape[0]), x.dtype)
    g[...] = b
    c = c0.copy()
    _direction_impl(x.reshape(nt * nb, ni), w, u, g, h0, c, hs, reverse)
    return c


def lstm_forward(x, W, U, b, h0=None, c0=None, out=None):
    """LSTM over a sequence: returns (hs (T, B, H), h_T (B, H), c_T (B, H)).

    x (T, B, I), W (I, 4H), U (H, 4H), b (4H,), h0 and c0 (B, H) (zeros when None), all one
    dtype (float32 or float64); gate order i, f, g, o. ``out`` receives hs. For T == 0,
    h_T and c_T are copies of h0 and c0.
    """
    fn = "lstm_forward"
    x = floats(fn, "x", x, 3)
    W, U, b, h0, c0 = _params(fn, "", (W, U, b), x, h0, c0)
    hs = output(fn, "out", out, x.shape[:2] + (U.shape[0],), x.dtype,
                no_alias=(x, W, U, b, h0, c0))
    c_t = _run_direction(x, W, U, b, h0, c0, hs, False)
    h_t = hs[x.shape[0] - 1].copy() if x.shape[0] else h0.copy()
    return hs, h_t, c_t


def bilstm_forward(x, fw_params, bw_params, out=None):
    """Bidirectional LSTM: returns (T, B, 2H), forward outputs then backward outputs.

    x (T, B, I); fw_params and bw_params are (W, U, b) triples as in ``lstm_forward``
    (same H), initial states zero. The backward direction runs t = T-1 .. 0 and stores its
    step-t output at position t, so out[t] = concat(h_fw[t], h_bw[t]).
    """
    fn = "bilstm_forward"
    x = floats(fn, "x", x, 3)
    fw = _params(fn, "fw ", fw_params, x, None, None)
    bw = _params(fn, "bw ", bw_params, x, None, None)
    nh = fw[1].shape[0]
    if bw[1].shape[0] != nh:
        raise ShapeError(f"{fn}: fw hidden size {nh} != bw hidden size {bw[1].shape[0]}")
    out = output(fn, "out", out, x.shape[:2] + (2 * nh,), x.dtype, no_alias=(x, *fw, *bw))
    _run_direction(x, *fw, out[:, :, :nh], False)
    _run_direction(x, *bw, out[:, :, nh:], True)
    return out
