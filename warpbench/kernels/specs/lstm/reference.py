"""The LSTM's NumPy references and the shape and weight helpers its specs share.

Gate order i, f, g, o; x (T, B, I), W (I, 4H), U (H, 4H), b (4H,); c' = f*c + i*g, h' = o*tanh(c').
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.specs.common import random_array, require_dtype


def dims(shape) -> str:
    """A shape as "2x3x4"."""
    return "x".join(str(d) for d in shape)


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def cell_reference(gates: np.ndarray, c_prev: np.ndarray, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """(h, c) in ``dtype`` from pre-activations (B, 4H) and the previous cell state (B, H)."""
    i, f, g, o = np.split(gates.astype(dtype, copy=False), 4, axis=1)
    c = _sigmoid(f) * c_prev.astype(dtype, copy=False) + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c), c


def sequence_reference(x, W, U, b, h0, c0, reverse=False, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """(hs (T, B, H), c_T) in ``dtype``; the reverse direction stores its step-t output at t."""
    x, W, U, b = (a.astype(dtype, copy=False) for a in (x, W, U, b))
    h, c = h0.astype(dtype, copy=False), c0.astype(dtype, copy=False)
    hs = np.empty(x.shape[:2] + (U.shape[0],), dtype)
    for t in (reversed(range(x.shape[0])) if reverse else range(x.shape[0])):
        h, c = cell_reference(x[t] @ W + h @ U + b, c, dtype)
        hs[t] = h
    return hs, c


def check_shapes(op: str, expected: dict, arrays: dict, context: str) -> None:
    """DTypeError unless every array is float32, ShapeError naming the first array whose shape is not
    the expected one (``context`` says where the expected extents come from)."""
    for name, shape in expected.items():
        require_dtype(op, name, np.asarray(arrays[name]), ("float32",))
        got = np.shape(arrays[name])
        if got != shape:
            raise ShapeError(f"{op}: {name} is {dims(got)}, expected {dims(shape)} ({context})")


def lstm_weights(p, rng, suffix=""):
    """W, U, b in PyTorch's LSTM initialisation range, U(-1/sqrt(H), 1/sqrt(H))."""
    bound = 1.0 / np.sqrt(p["H"])
    return {f"W{suffix}": random_array((p["I"], 4 * p["H"]), "float32", rng, -bound, bound),
            f"U{suffix}": random_array((p["H"], 4 * p["H"]), "float32", rng, -bound, bound),
            f"b{suffix}": random_array((4 * p["H"],), "float32", rng, -bound, bound)}
