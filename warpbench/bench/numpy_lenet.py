"""The book's LeNet written out in NumPy (forward and backward by hand), from a built network's
own parameters: a baseline for :mod:`warpbench.bench.network_baselines`.

As ``warpbench.networks.lenet``: ``relu(maxpool2x2(conv(x, W) + b))`` twice (``conv`` a true
convolution, Theano's ``filter_flip``, valid borders), a dense ReLU layer, a dense softmax layer.
Convolutions are windows (``sliding_window_view``) contracted with ``einsum``: idiomatic
NumPy, no compiled extension.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from warpbench.errors import ConfigError

PARAMS = ("conv1.W", "conv1.b", "conv2.W", "conv2.b", "dense.W", "dense.b", "out.W", "out.b")


def check_lenet(network) -> None:
    """ConfigError unless ``network`` is a LeNet this module writes out (valid borders)."""
    if network.name != "lenet" or set(network.params) != set(PARAMS):
        raise ConfigError(f"{network.name}: the NumPy LeNet needs parameters {', '.join(PARAMS)}")


def _windows(x: np.ndarray, k: int) -> np.ndarray:
    """(N, C, H - k + 1, W - k + 1, k, k) views of the k x k windows of each plane."""
    return sliding_window_view(x, (k, k), axis=(2, 3))


def _conv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Valid true convolution of (N, C, H, W) with (F, C, k, k) filters."""
    return np.einsum("nchwij,fcij->nfhw", _windows(x, w.shape[2]), w[:, :, ::-1, ::-1], optimize=True)


def _conv_dw(x: np.ndarray, k: int, dy: np.ndarray) -> np.ndarray:
    """The filters' gradient of :func:`_conv` (k x k filters) for the output gradient ``dy``."""
    return np.einsum("nfhw,nchwij->fcij", dy, _windows(x, k), optimize=True)[:, :, ::-1, ::-1]


def _conv_dx(w: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """The input's gradient of :func:`_conv`: ``dy`` padded and convolved back with ``w``."""
    k = w.shape[2]
    padded = np.pad(dy, ((0, 0), (0, 0), (k - 1, k - 1), (k - 1, k - 1)))
    return np.einsum("nfpqij,fcij->ncpq", _windows(padded, k), w, optimize=True)


def _pool(x: np.ndarray) -> np.ndarray:
    n, c, h, w = x.shape
    return x[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def _up(a: np.ndarray) -> np.ndarray:
    return a.repeat(2, axis=2).repeat(2, axis=3)


def _unpool(x: np.ndarray, pooled: np.ndarray, dpooled: np.ndarray) -> np.ndarray:
    """The gradient of :func:`_pool` at ``x``: ``dpooled`` routed to each window's maximum."""
    h, w = pooled.shape[2] * 2, pooled.shape[3] * 2
    dx = np.zeros_like(x)
    dx[:, :, :h, :w] = (x[:, :, :h, :w] == _up(pooled)) * _up(dpooled)
    return dx


class NumpyLeNet:
    """LeNet in NumPy: ``forward(x)`` the probabilities, ``gradients(x, y)`` the loss and gradients."""

    def __init__(self, params: dict):
        self.params = params

    def _stage(self, x, name):
        z = _conv(x, self.params[f"{name}.W"]) + self.params[f"{name}.b"]
        pooled = _pool(z)
        return z, pooled, np.maximum(pooled, 0)

    def _layers(self, x):
        p = self.params
        z1, pool1, h1 = self._stage(x, "conv1")
        z2, pool2, h2 = self._stage(h1, "conv2")
        flat = h2.reshape(len(x), -1)
        dense = np.maximum(flat @ p["dense.W"] + p["dense.b"], 0)
        logits = dense @ p["out.W"] + p["out.b"]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return (z1, pool1, h1, z2, pool2, h2, flat, dense), e / e.sum(axis=1, keepdims=True)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities of the batch."""
        return self._layers(x)[1]

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, dict]:
        """The mean cross-entropy and its gradient for each parameter."""
        p, n = self.params, len(x)
        (z1, pool1, h1, z2, pool2, h2, flat, dense), probabilities = self._layers(x)
        rows = np.arange(n)
        loss = float(-np.log(probabilities[rows, y]).mean())
        dlogits = probabilities
        dlogits[rows, y] -= 1
        dlogits /= n
        grads = {"out.W": dense.T @ dlogits, "out.b": dlogits.sum(axis=0)}
        ddense = (dlogits @ p["out.W"].T) * (dense > 0)
        grads.update({"dense.W": flat.T @ ddense, "dense.b": ddense.sum(axis=0)})
        dh2 = (ddense @ p["dense.W"].T).reshape(h2.shape)
        dz2 = _unpool(z2, pool2, dh2 * (pool2 > 0))
        grads["conv2.W"] = _conv_dw(h1, p["conv2.W"].shape[2], dz2)
        grads["conv2.b"] = dz2.sum(axis=(0, 2, 3), keepdims=True)
        dz1 = _unpool(z1, pool1, _conv_dx(p["conv2.W"], dz2) * (pool1 > 0))
        grads["conv1.W"] = _conv_dw(x, p["conv1.W"].shape[2], dz1)
        grads["conv1.b"] = dz1.sum(axis=(0, 2, 3), keepdims=True)
        return loss, grads
