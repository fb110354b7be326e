"""Elementwise host ops: axpb (the book's AXPBOp), bias + activation, activations.

Any-shape ops work on the flat C-contiguous buffer in chunks small enough to stay in L1
(copy a chunk, then run the activation pass over it), split across OpenMP threads when
the array is large. ``out`` may be the input itself (in-place); every function returns
the result.
"""
from cython.parallel cimport prange
from libc.string cimport memcpy

from cython cimport floating
from warpbench.errors import ShapeError
from warpbench.hostcode._activations cimport (ACT_RELU, ACT_SIGMOID, ACT_TANH, PAR_MIN,
                                              act_inplace, bias_act_rows)
from warpbench.hostcode._checks import activation, dims, floats, output

# Elements per chunk of the flat passes: 16 KiB of float32, a comfortable L1 share.
cdef enum:
    CHUNK = 4096


def _axpb_impl(const floating[::1] x, floating[::1] z, double a, double b):
    cdef Py_ssize_t i, n = x.shape[0]
    cdef floating fa = <floating>a, fb = <floating>b
    for i in prange(n, nogil=True, schedule="static", use_threads_if=n > PAR_MIN):
        z[i] = fa * x[i] + fb


def axpb(x, a, b, out=None):
    """z = a * x + b elementwise; x any shape, float32 or float64, z like x.

    ``a`` and ``b`` are Python scalars, applied in x's dtype.
    """
    x = floats("axpb", "x", x)
    out = output("axpb", "out", out, x.shape, x.dtype)
    _axpb_impl(x.reshape(-1), out.reshape(-1), a, b)
    return out


def _act_flat(const floating[::1] x, floating[::1] out, int act):
    cdef Py_ssize_t c, lo, n = x.shape[0]
    cdef Py_ssize_t nchunks = (n + CHUNK - 1) // CHUNK
    for c in prange(nchunks, nogil=True, schedule="static", use_threads_if=n > PAR_MIN):
        lo = c * CHUNK
        if &out[lo] != <floating*>&x[lo]:
            memcpy(&out[lo], &x[lo], min(CHUNK, n - lo) * sizeof(floating))
        act_inplace(&out[lo], min(CHUNK, n - lo), act)


def _unary(fn, act, x, out):
    x = floats(fn, "x", x)
    out = output(fn, "out", out, x.shape, x.dtype)
    _act_flat(x.reshape(-1), out.reshape(-1), act)
    return out


def relu(x, out=None):
    """max(x, 0) elementwise (NaN stays NaN); x any shape, float32 or float64."""
    return _unary("relu", ACT_RELU, x, out)


def tanh(x, out=None):
    """tanh(x) elementwise; x any shape, float32 or float64."""
    return _unary("tanh", ACT_TANH, x, out)


def sigmoid(x, out=None):
    """1 / (1 + exp(-x)) elementwise; x any shape, float32 or float64."""
    return _unary("sigmoid", ACT_SIGMOID, x, out)


def _bias_act_impl(const floating[:, ::1] x, const floating[::1] bias, floating[:, ::1] out,
                   int act, bint per_row):
    with nogil:
        bias_act_rows(&x[0, 0], &bias[0], bias.shape[0], &out[0, 0], x.shape[0], x.shape[1],
                      act, per_row)


def bias_act(x, bias, act="none", out=None):
    """act(x + bias) for x (M, N) and bias (N,), broadcast over rows; C-contiguous (M, N).

    ``act`` is one of "none", "relu", "tanh", "sigmoid". x and bias share a dtype
    (float32 or float64).
    """
    fn = "bias_act"
    x = floats(fn, "x", x, 2)
    bias = floats(fn, "bias", bias, 1, dtype=x.dtype)
    if bias.shape[0] != x.shape[1]:
        raise ShapeError(f"{fn}: bias has length {bias.shape[0]} but x is {dims(x.shape)} "
                         f"({x.shape[1]} columns)")
    code = activation(fn, act)
    out = output(fn, "out", out, x.shape, x.dtype)
    _bias_act_impl(x, bias, out, code, False)
    return out


def bias_act_nchw(x, bias, act="none", out=None):
    """act(x + bias[c]) for x (N, C, H, W) and bias (C,): the conv epilogue.

    ``act`` is one of "none", "relu", "tanh", "sigmoid"; result C-contiguous (N, C, H, W)
    in x's dtype (float32 or float64, shared with bias).
    """
    fn = "bias_act_nchw"
    x = floats(fn, "x", x, 4)
    bias = floats(fn, "bias", bias, 1, dtype=x.dtype)
    n, c, h, w = x.shape
    if bias.shape[0] != c:
        raise ShapeError(f"{fn}: bias has length {bias.shape[0]} but x (N, C, H, W) is "
                         f"{dims(x.shape)} ({c} channels)")
    code = activation(fn, act)
    out = output(fn, "out", out, x.shape, x.dtype)
    _bias_act_impl(x.reshape(n * c, h * w), bias, out.reshape(n * c, h * w), code, True)
    return out
