"""The optimizers of the book as update pairs on shared parameters: SGD with momentum and Adam.

Each returns ``[(shared, new_value), ...]`` for ``function(..., updates=...)``; the optimizer's
state (velocities, moments, the step count) is shared variables too, so on a kernel device
it lives there next to the parameters and a step copies nothing.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import UnknownNameError
from warpbench.graph import grad, shared, sqrt

OPTIMIZERS = ("sgd", "adam")


def _zeros_like(param, suffix: str):
    value = param.get_value(borrow=True)
    return shared(np.zeros_like(value), f"{param.name}.{suffix}")


def sgd_momentum(loss, params, lr: float = 0.1, momentum: float = 0.9) -> list:
    """Classical momentum: v <- m v - lr g, p <- p + v."""
    updates = []
    for param, gradient in zip(params, grad(loss, params)):
        velocity = _zeros_like(param, "velocity")
        new_velocity = velocity * momentum - gradient * lr
        updates += [(velocity, new_velocity), (param, param + new_velocity)]
    return updates


def adam(loss, params, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> list:
    """Adam (Kingma and Ba), with the bias corrections folded into the step size."""
    dtype = params[0].dtype
    step = shared(np.zeros((), dtype), "adam.t")
    t = step + 1.0
    rate = lr * sqrt(1.0 - beta2 ** t) / (1.0 - beta1 ** t)
    updates = [(step, t)]
    for param, gradient in zip(params, grad(loss, params)):
        m, v = _zeros_like(param, "m"), _zeros_like(param, "v")
        new_m = m * beta1 + gradient * (1.0 - beta1)
        new_v = v * beta2 + gradient * gradient * (1.0 - beta2)
        updates += [(m, new_m), (v, new_v), (param, param - rate * new_m / (sqrt(new_v) + eps))]
    return updates


def optimizer_updates(name: str, loss, params, lr: float, momentum: float = 0.9) -> list:
    """The updates of optimizer ``name`` ("sgd": with momentum, "adam")."""
    if name == "sgd":
        return sgd_momentum(loss, params, lr, momentum)
    if name == "adam":
        return adam(loss, params, lr)
    raise UnknownNameError(f"unknown optimizer {name!r} (optimizers: {', '.join(OPTIMIZERS)})")
