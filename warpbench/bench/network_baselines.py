"""The book's networks written out without warpbench, from a built network's own parameters,
so that a benchmark run times the same computation next to warpbench's and checks both agree:
the MLP in NumPy and in PyTensor, LeNet in NumPy (:mod:`warpbench.bench.numpy_lenet`).

MLP ``forward``: tanh(x W1 + b1) W2 + b2, softmax. ``train_step``: the mean cross-entropy, its
gradients by hand (NumPy) or by ``pytensor.grad``, and SGD with momentum as the network's
optimizer applies it (``v <- momentum v - lr g``, ``p <- p + v``). The baselines keep their own
copies of the parameters, so a train step here does not move the network's.

PyTensor is a benchmark-only comparison: :func:`pytensor_mlp` raises SkipBenchmark without it
(PyTensor 3 has no convolution or pooling op, hence no PyTensor LeNet).
"""
from __future__ import annotations

import numpy as np

from warpbench.bench.cases import SkipBenchmark, TimedStep
from warpbench.bench.networks import device_of
from warpbench.errors import ConfigError

#: Network -> the implementations written for it.
BASELINES = {"mlp": ("numpy", "pytensor"), "lenet": ("numpy",)}
MLP_PARAMS = ("W1", "b1", "W2", "b2")


def mlp_parameters(network) -> dict[str, np.ndarray]:
    """Copies of an MLP's parameters; ConfigError when ``network`` is not a tanh MLP."""
    if network.name != "mlp" or set(network.params) != set(MLP_PARAMS):
        raise ConfigError(f"{network.name}: the NumPy/PyTensor baselines are written for the mlp "
                          f"(parameters {', '.join(MLP_PARAMS)}), not for {sorted(network.params)}")
    return {name: np.array(network.params[name].get_value()) for name in MLP_PARAMS}


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class NumpyMLP:
    """The MLP in NumPy: ``forward(x)`` the probabilities, ``gradients(x, y)`` the loss and gradients."""

    def __init__(self, params: dict):
        self.params = params

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities of the batch."""
        p = self.params
        return _softmax(np.tanh(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, dict]:
        """The mean cross-entropy and its gradient for each parameter."""
        p, n = self.params, len(x)
        h = np.tanh(x @ p["W1"] + p["b1"])
        probabilities = _softmax(h @ p["W2"] + p["b2"])
        rows = np.arange(n)
        loss = float(-np.log(probabilities[rows, y]).mean())
        dz2 = probabilities
        dz2[rows, y] -= 1
        dz2 /= n
        dh = (dz2 @ p["W2"].T) * (1 - h * h)
        return loss, {"W1": x.T @ dh, "b1": dh.sum(axis=0), "W2": h.T @ dz2, "b2": dz2.sum(axis=0)}


class Momentum:
    """SGD with momentum over a NumPy model's parameters: ``train_step(x, y)`` returns the loss
    before the step."""

    def __init__(self, model, lr: float, momentum: float):
        self.model, self.lr, self.momentum = model, lr, momentum
        self.velocity = {name: np.zeros_like(value) for name, value in model.params.items()}

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One step on the mean cross-entropy of the batch."""
        loss, grads = self.model.gradients(x, y)
        for name, g in grads.items():
            v = self.velocity[name]
            v *= self.momentum
            v -= self.lr * g.astype(v.dtype, copy=False)
            self.model.params[name] += v
        return loss


def pytensor_mlp(params: dict, lr: float, momentum: float):
    """``(forward, train_step)`` compiled by PyTensor (its default mode, C code) for the MLP."""
    try:
        import pytensor
        import pytensor.tensor as pt
    except ImportError:
        raise SkipBenchmark("PyTensor is not installed (a benchmark-only comparison)") from None
    shared = {name: pytensor.shared(value, name=name) for name, value in params.items()}
    velocity = {name: pytensor.shared(np.zeros_like(value)) for name, value in params.items()}
    x, y = pt.matrix("x", dtype=params["W1"].dtype), pt.vector("y", dtype="int64")
    h = pt.tanh(x @ shared["W1"] + shared["b1"])
    probabilities = pt.special.softmax(h @ shared["W2"] + shared["b2"], axis=1)
    loss = -pt.log(probabilities[pt.arange(y.shape[0]), y]).mean()
    grads = pytensor.grad(loss, [shared[name] for name in MLP_PARAMS])
    updates = []
    for name, g in zip(MLP_PARAMS, grads):
        v = (momentum * velocity[name] - lr * g).astype(params[name].dtype)
        updates += [(velocity[name], v), (shared[name], shared[name] + v)]
    return pytensor.function([x], probabilities), pytensor.function([x, y], loss, updates=updates)


def numpy_model(network):
    """The NumPy twin of ``network`` (mlp or lenet) on copies of its parameters."""
    if network.name == "lenet":
        from warpbench.bench.numpy_lenet import NumpyLeNet, check_lenet
        check_lenet(network)
        return NumpyLeNet({name: np.array(var.get_value()) for name, var in network.params.items()})
    return NumpyMLP(mlp_parameters(network))


def baseline_step(network, implementation: str, phase: str, x, y) -> TimedStep:
    """``phase`` of ``network`` in ``implementation`` (see :data:`BASELINES`) on the batch
    ``(x, y)``, timed on the cpu's clock; called once."""
    if implementation not in BASELINES.get(network.name, ()):
        known = ", ".join(f"{name} in {' and '.join(impls)}" for name, impls in BASELINES.items())
        raise ConfigError(f"no {implementation!r} baseline for {network.name} (baselines: {known})")
    if implementation == "numpy":
        model = numpy_model(network)
        forward, train_step = model.forward, Momentum(model, network.lr, network.momentum).train_step
    else:
        forward, train_step = pytensor_mlp(mlp_parameters(network), network.lr, network.momentum)
    call = (lambda: forward(x)) if phase == "forward" else (lambda: train_step(x, y))
    step = TimedStep(f"{network.name} {phase} ({implementation})", device_of("cpu"), call)
    step.run()
    return step
