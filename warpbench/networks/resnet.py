"""A small ResNet of the book's basic blocks (chapter 7): a 3x3 stem convolution with batch norm
and ReLU, basic blocks (conv-BN-ReLU-conv-BN plus the identity shortcut, then ReLU), global
average pooling and a softmax. Training normalizes with the batch's statistics and keeps
running averages; ``forward`` normalizes with the running averages (inference).
"""
from __future__ import annotations

import numpy as np

from warpbench.graph import (batch_normalization_test, batch_normalization_train, categorical_crossentropy, conv2d,
                             dot, mean, relu, shared, softmax, tensor4, vector)
from warpbench.networks.base import Graph, Network, check_batch
from warpbench.networks.init import constant_value, glorot_uniform, he_uniform

#: CIFAR-shaped benchmark sizes: 32x32 RGB, 16 channels, 3 blocks (the first stage of ResNet-20).
BOOK = {"image": 32, "channels": 3, "width": 16, "blocks": 3, "classes": 10}


class _BatchNorm:
    """One spatial batch norm: its scale and shift (trained) and running statistics (state)."""

    def __init__(self, name: str, width: int, params: dict, state: dict):
        shape = (1, width, 1, 1)
        self.gamma = params[f"{name}.gamma"] = constant_value(shape, 1.0, f"{name}.gamma")
        self.beta = params[f"{name}.beta"] = constant_value(shape, 0.0, f"{name}.beta")
        self.mean = state[f"{name}.mean"] = shared(np.zeros(shape, self.gamma.dtype), f"{name}.mean")
        self.var = state[f"{name}.var"] = shared(np.ones(shape, self.gamma.dtype), f"{name}.var")

    def __call__(self, train, test, updates):
        """(batch-normalized ``train``, normalized ``test``), adding the running-average updates."""
        out, _, _, new_mean, new_var = batch_normalization_train(train, self.gamma, self.beta, "spatial", 1e-4, 0.1,
                                                                 self.mean, self.var)
        updates += [(self.mean, new_mean), (self.var, new_var)]
        return out, batch_normalization_test(test, self.gamma, self.beta, self.mean, self.var, "spatial")


def graph(image: int, channels: int, width: int, blocks: int, classes: int, seed: int = 0) -> Graph:
    """The symbolic ResNet: x (batch, channels, image, image) -> probabilities (batch, classes)."""
    rng = np.random.default_rng(seed)
    params, state, updates = {}, {}, []

    def conv(name, c_in):
        params[name] = he_uniform(rng, (width, c_in, 3, 3), name)
        return params[name]

    x, y = tensor4("x"), vector("y", "int64")
    w = conv("stem.W", channels)
    train, test = _BatchNorm("stem.bn", width, params, state)(conv2d(x, w, border_mode="half"),
                                                             conv2d(x, w, border_mode="half"), updates)
    train, test = relu(train), relu(test)
    for b in range(blocks):
        w1, bn1 = conv(f"block{b}.conv1.W", width), _BatchNorm(f"block{b}.bn1", width, params, state)
        w2, bn2 = conv(f"block{b}.conv2.W", width), _BatchNorm(f"block{b}.bn2", width, params, state)
        h_train, h_test = bn1(conv2d(train, w1, border_mode="half"), conv2d(test, w1, border_mode="half"), updates)
        h_train, h_test = relu(h_train), relu(h_test)
        h_train, h_test = bn2(conv2d(h_train, w2, border_mode="half"), conv2d(h_test, w2, border_mode="half"),
                              updates)
        train, test = relu(h_train + train), relu(h_test + test)
    params["out.W"] = glorot_uniform(rng, (width, classes), "out.W")
    params["out.b"] = constant_value((classes,), 0.0, "out.b")

    def head(features):
        return softmax(dot(mean(features, axis=(2, 3)), params["out.W"]) + params["out.b"])

    probabilities = head(train)
    loss = categorical_crossentropy(probabilities, y).mean()
    return Graph(x, y, probabilities, loss, params, inference=head(test), state_updates=updates, state=state)


def build(batch: int, device=None, seed: int = 0, image: int = BOOK["image"], channels: int = BOOK["channels"],
          width: int = BOOK["width"], blocks: int = BOOK["blocks"], classes: int = BOOK["classes"],
          optimizer: str = "sgd", lr: float = 0.05, momentum: float = 0.9) -> Network:
    """The ResNet on ``device``; ``sample_inputs`` gives ``batch`` random images."""
    batch = check_batch("resnet", batch)

    def sample(rng):
        return (rng.random((batch, channels, image, image), np.float32),
                rng.integers(0, classes, batch).astype(np.int64))

    net_graph = graph(image, channels, width, blocks, classes, seed)
    return Network("resnet", net_graph, device, optimizer, lr, momentum, sample)
