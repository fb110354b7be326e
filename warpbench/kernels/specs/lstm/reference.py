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


def _activations(pre):
    i, f, g, o = np.split(pre, 4, axis=1)
    return _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)


def cell_states_reference(gates, c0, reverse=False, dtype=np.float64) -> np.ndarray:
    """cs (T, B, H): the cell state after each step from the pre-activations (T, B, 4H) and c0."""
    c = c0.astype(dtype)
    cs = np.empty(gates.shape[:2] + c0.shape[1:], dtype)
    for t in (reversed(range(gates.shape[0])) if reverse else range(gates.shape[0])):
        i, f, g, _ = _activations(gates[t].astype(dtype))
        c = f * c + i * g
        cs[t] = c
    return cs


def cell_backward_reference(gates, c_prev, c, dh, dc, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """(dgates (B, 4H), dc_prev (B, H)) of one step from the gradients dh and dc reaching its h and c."""
    i, f, g, o = _activations(gates.astype(dtype))
    tc = np.tanh(c.astype(dtype))
    dh = dh.astype(dtype)
    dc = dc.astype(dtype) + dh * o * (1 - tc * tc)
    dgates = np.concatenate([dc * g * i * (1 - i), dc * c_prev.astype(dtype) * f * (1 - f), dc * i * (1 - g * g),
                             dh * tc * o * (1 - o)], axis=1)
    return dgates, dc * f


def backward_reference(x, W, U, b, h0, c0, hs, dhs, dc_T, reverse=False, dtype=np.float64) -> tuple:
    """(dx, dW, dU, db, dh0, dc0) of one direction (hs its outputs, step-t output at t) given the
    gradients dhs (T, B, H) of its outputs and dc_T of its final cell state. Each step's
    previous h is read from hs, as the kernels do."""
    x, W, U, b, h0, c0, hs, dhs = (a.astype(dtype) for a in (x, W, U, b, h0, c0, hs, dhs))
    times = list(reversed(range(x.shape[0]))) if reverse else list(range(x.shape[0]))
    h_prevs = [h0] + [hs[t] for t in times[:-1]]
    gates = np.stack([x[t] @ W + h @ U + b for t, h in zip(times, h_prevs)])  # in step order
    cs = cell_states_reference(gates, c0, dtype=dtype)
    dx, dW, dU, db = np.zeros_like(x), np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dh_next, dc = np.zeros_like(h0), dc_T.astype(dtype)
    for k in reversed(range(len(times))):
        t = times[k]
        d, dc = cell_backward_reference(gates[k], cs[k - 1] if k else c0, cs[k], dhs[t] + dh_next, dc, dtype)
        dx[t], dh_next = d @ W.T, d @ U.T
        dW += x[t].T @ d
        dU += h_prevs[k].T @ d
        db += d.sum(axis=0)
    return dx, dW, dU, db, dh_next, dc
