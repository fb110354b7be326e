"""Helpers the family modules share: input generation, validation and tolerances."""
from __future__ import annotations

import math

import numpy as np

from warpbench.errors import DTypeError, ShapeError

FLOAT_DTYPES = ("float32", "float64")


def random_array(shape, dtype, rng: np.random.Generator, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """Uniform random values in [low, high) of ``dtype``, C-contiguous."""
    return rng.uniform(low, high, size=shape).astype(dtype)


def tolerance(dtype, scale: float = 1.0) -> tuple[float, float]:
    """(rtol, atol) for results of ``dtype``; ``scale`` widens it for long reductions."""
    if np.dtype(dtype) == np.float64:
        return 1e-12 * scale, 1e-12 * scale
    return 1e-5 * scale, 1e-5 * scale


def require_dtype(op: str, name: str, array: np.ndarray, allowed=FLOAT_DTYPES) -> str:
    """The dtype name of ``array``; DTypeError naming the op and argument when not allowed."""
    got = np.dtype(array.dtype).name
    if got not in allowed:
        raise DTypeError(f"{op}: {name} has dtype {got}, not supported ({', '.join(allowed)})")
    return got


def require_ndim(op: str, name: str, array: np.ndarray, ndim: int, what: str) -> None:
    """ShapeError naming the op and argument when ``array`` is not ``ndim``-D."""
    if np.ndim(array) != ndim:
        raise ShapeError(f"{op}: {name} must be {what} ({ndim}-D), got shape {tuple(np.shape(array))}")


def int_pair(op: str, name: str, value, minimum: int) -> tuple[int, int]:
    """``value`` (an int or a pair) as an (h, w) pair of ints >= ``minimum``; ShapeError naming ``op``."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v >= minimum for v in pair):
        raise ShapeError(f"{op}: {name} must be an int or a pair of ints >= {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def require_same_dtype(op: str, arrays: dict) -> None:
    """DTypeError when the given arrays do not all share one dtype."""
    dtypes = {name: np.dtype(a.dtype).name for name, a in arrays.items()}
    if len(set(dtypes.values())) > 1:
        shown = ", ".join(f"{k} {v}" for k, v in dtypes.items())
        raise DTypeError(f"{op}: arrays must share one dtype, got {shown}")


# Matrix shapes the row/column kernels are checked at: one row or column, primes, a warp
# (32) and a vector width (4) plus or minus one, and shapes that take the 16-byte vector path
# (cols a multiple of 4) next to ones that cannot.
MATRIX_SHAPES = ((1, 1), (1, 97), (97, 1), (7, 13), (31, 33), (33, 64), (64, 36), (100, 37), (129, 256))
MATRIX_SHAPES_F64 = ((1, 1), (7, 13), (33, 64), (100, 37))
NCHW_SHAPES = ((2, 20, 24, 24), (1, 1, 1, 1), (3, 7, 5, 3), (2, 50, 8, 8), (1, 3, 2, 2), (5, 4, 1, 5))


def matrix_dtype(op: str, name: str, a, dtypes=FLOAT_DTYPES) -> str:
    """Dtype name of ``a`` after checking that it is a matrix of an allowed dtype."""
    require_ndim(op, name, a, 2, "a matrix")
    return require_dtype(op, name, a, dtypes)


def require_nonempty(op: str, name: str, a) -> None:
    """ShapeError when ``a`` has no elements (a max or argmax of nothing is undefined)."""
    if np.size(a) == 0:
        raise ShapeError(f"{op}: {name} of shape {tuple(np.shape(a))} is empty")


def sum_tolerance(dtype, terms: int, magnitude: float = 1.0) -> tuple[float, float]:
    """(rtol, atol) for sums of ``terms`` values of size about ``magnitude``: rounding error
    of a sum grows like the square root of its length."""
    return tolerance(dtype, scale=max(1.0, math.sqrt(terms)) * max(1.0, magnitude))
