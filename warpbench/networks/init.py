"""Parameter initialisation as in the book: Glorot (Xavier) uniform for tanh/sigmoid layers,
He uniform for ReLU layers, zeros for biases; each returns a named shared variable."""
from __future__ import annotations

import numpy as np

from warpbench.graph import config, shared


def _fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a dense (in, out) or a convolution (out, in, kh, kw) weight."""
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive


def glorot_uniform(rng: np.random.Generator, shape, name: str, gain: float = 1.0):
    """U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    limit = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return shared(rng.uniform(-limit, limit, shape).astype(config.float_x()), name)


def he_uniform(rng: np.random.Generator, shape, name: str):
    """U(-a, a), a = sqrt(6 / fan_in): keeps the variance through ReLU layers."""
    fan_in, _ = _fans(shape)
    limit = np.sqrt(6.0 / fan_in)
    return shared(rng.uniform(-limit, limit, shape).astype(config.float_x()), name)


def constant_value(shape, value: float, name: str):
    """A parameter filled with ``value`` (biases: 0, batch-norm scales: 1)."""
    return shared(np.full(shape, value, config.float_x()), name)
