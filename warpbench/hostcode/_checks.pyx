"""Argument checks shared by the hostcode modules, run once at the Python boundary.

Every helper takes ``fn`` (the public function's name) so that errors read like
``gemm: A is 3x4 but B is 5x6 (inner dimensions 4 != 5)``: one line naming the function
and the values at fault. Kernels behind these checks assume C-contiguous float32/float64
buffers of the validated shapes and never check again.
"""
import numbers

import numpy as np
from libc.stdint cimport int64_t

from warpbench.errors import DTypeError, ShapeError, UnknownNameError
from warpbench.hostcode._activations cimport ACT_NONE, ACT_RELU, ACT_TANH, ACT_SIGMOID

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
INDEX_DTYPES = (np.dtype(np.int32), np.dtype(np.int64))
ACTIVATIONS = {"none": ACT_NONE, "relu": ACT_RELU, "tanh": ACT_TANH, "sigmoid": ACT_SIGMOID}


def dims(shape):
    """``(3, 4)`` -> ``'3x4'``, the way every message writes a shape."""
    return "x".join(str(int(d)) for d in shape) if len(shape) else "scalar"


def floats(fn, name, x, ndim=None, dtype=None):
    """``x`` as a C-contiguous float32/float64 array of ``ndim`` dimensions.

    With ``dtype`` given, ``x`` must have exactly that dtype (operands of one call share
    a dtype; mixing them is refused rather than silently cast).
    """
    x = np.asarray(x)
    if x.dtype not in FLOAT_DTYPES:
        raise DTypeError(f"{fn}: {name} dtype {x.dtype} not supported (float32, float64)")
    if dtype is not None and x.dtype != dtype:
        raise DTypeError(
            f"{fn}: {name} dtype {x.dtype} does not match the other operands ({dtype})")
    if ndim is not None and x.ndim != ndim:
        raise ShapeError(f"{fn}: {name} must be {ndim}-D, got shape {dims(x.shape)}")
    return np.asarray(x, order="C")  # not ascontiguousarray: it turns 0-d into 1-d


def indices(fn, name, ids):
    """Integer ids (int32 or int64, any shape) as a C-contiguous int64 array."""
    ids = np.asarray(ids)
    if ids.dtype not in INDEX_DTYPES:
        raise DTypeError(f"{fn}: {name} dtype {ids.dtype} not supported (int32, int64)")
    return np.asarray(ids, dtype=np.int64, order="C")


def output(fn, name, out, shape, dtype, no_alias=()):
    """The result buffer: a new array when ``out`` is None, else ``out`` after checking it.

    ``out`` must be a writeable C-contiguous ndarray of exactly ``shape`` and ``dtype``.
    Arrays in ``no_alias`` are inputs the kernel still reads while writing ``out``; an
    ``out`` overlapping them would be silently wrong, so it is refused.
    """
    shape = tuple(int(d) for d in shape)
    if out is None:
        return np.empty(shape, dtype)
    if not isinstance(out, np.ndarray):
        raise DTypeError(f"{fn}: {name} must be a numpy array, got {type(out).__name__}")
    if out.dtype != dtype:
        raise DTypeError(
            f"{fn}: {name} dtype {out.dtype} does not match the result ({np.dtype(dtype)})")
    if out.shape != shape:
        raise ShapeError(f"{fn}: {name} has shape {dims(out.shape)}, expected {dims(shape)}")
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise ShapeError(f"{fn}: {name} must be a writeable C-contiguous array")
    for a in no_alias:
        if np.may_share_memory(out, a):
            raise ShapeError(f"{fn}: {name} overlaps an input; pass a separate buffer")
    return out


def blas_extents(fn, extents):
    """Refuse extents that do not fit the 32-bit integers of scipy's cython_blas."""
    if max(extents, default=0) > 2**31 - 1:
        raise ShapeError(f"{fn}: extents {dims(extents)} exceed the 32-bit BLAS limit")


def pair(fn, name, v, minimum):
    """An int or a pair of ints, each >= ``minimum``, as a 2-tuple (stride, padding...)."""
    vals = (v, v) if isinstance(v, numbers.Integral) else v
    if (not isinstance(vals, (tuple, list)) or len(vals) != 2
            or not all(isinstance(e, numbers.Integral) for e in vals)):
        raise ShapeError(f"{fn}: {name} must be an int or a pair of ints, got {v!r}")
    if min(vals) < minimum:
        raise ShapeError(f"{fn}: {name} must be >= {minimum}, got {v!r}")
    return int(vals[0]), int(vals[1])


def activation(fn, act):
    """The activation code for ``act`` (one of ACTIVATIONS' names)."""
    try:
        return ACTIVATIONS[act]
    except (KeyError, TypeError):
        raise UnknownNameError(
            f"{fn}: unknown activation {act!r} ({', '.join(ACTIVATIONS)})") from None


def first_out_of_range(const int64_t[::1] ids, int64_t limit):
    """Flat index of the first id outside [0, limit), or -1 when all are in range."""
    cdef Py_ssize_t i, bad = -1
    with nogil:
        for i in range(ids.shape[0]):
            if ids[i] < 0 or ids[i] >= limit:
                bad = i
                break
    return bad


def check_ids(fn, name, ids, limit, what):
    """Raise ShapeError naming the first id of ``ids`` (int64) outside [0, limit).

    ``what`` says where ``limit`` comes from, e.g. ``'table has 50 rows'``.
    """
    bad = first_out_of_range(ids.reshape(-1), limit)
    if bad >= 0:
        where = np.unravel_index(bad, ids.shape)
        raise ShapeError(f"{fn}: {name}[{', '.join(map(str, where))}] = {ids.reshape(-1)[bad]} "
                         f"out of range [0, {limit}) ({what})")
