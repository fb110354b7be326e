"""The book's LeNet-style CNN (chapters 2 and 7): two stages of convolution, max pooling and
ReLU, a dense ReLU layer and a softmax. The book's MNIST sizes: 28x28 inputs, 5x5 filters
(20 then 50), 500 hidden units; on the 8x8 digits, 3x3 "half" convolutions.
"""
from __future__ import annotations

import numpy as np

from warpbench.graph import (categorical_crossentropy, conv2d, dot, flatten, pool_2d, relu, softmax, tensor4,
                             vector)
from warpbench.networks.base import Graph, Network, check_batch
from warpbench.networks.init import constant_value, glorot_uniform, he_uniform

BOOK = {"image": 28, "channels": 1, "filters": (20, 50), "kernel": 5, "border": "valid", "hidden": 500,
        "classes": 10}


def _side(image: int, kernel: int, border: str) -> int:
    """The side of a plane after a convolution (valid or half) and a 2x2 max pool."""
    convolved = image - kernel + 1 if border == "valid" else image
    return convolved // 2


def graph(image: int, channels: int, filters, kernel: int, border: str, hidden: int, classes: int,
          seed: int = 0) -> Graph:
    """The symbolic CNN: x (batch, channels, image, image) -> probabilities (batch, classes)."""
    rng = np.random.default_rng(seed)
    (f1, f2), side = filters, _side(_side(image, kernel, border), kernel, border)
    params = {"conv1.W": he_uniform(rng, (f1, channels, kernel, kernel), "conv1.W"),
              "conv1.b": constant_value((1, f1, 1, 1), 0.0, "conv1.b"),
              "conv2.W": he_uniform(rng, (f2, f1, kernel, kernel), "conv2.W"),
              "conv2.b": constant_value((1, f2, 1, 1), 0.0, "conv2.b"),
              "dense.W": he_uniform(rng, (f2 * side * side, hidden), "dense.W"),
              "dense.b": constant_value((hidden,), 0.0, "dense.b"),
              "out.W": glorot_uniform(rng, (hidden, classes), "out.W"),
              "out.b": constant_value((classes,), 0.0, "out.b")}
    x, y = tensor4("x"), vector("y", "int64")
    h = relu(pool_2d(conv2d(x, params["conv1.W"], border_mode=border) + params["conv1.b"], (2, 2)))
    h = relu(pool_2d(conv2d(h, params["conv2.W"], border_mode=border) + params["conv2.b"], (2, 2)))
    h = relu(dot(flatten(h, 2), params["dense.W"]) + params["dense.b"])
    probabilities = softmax(dot(h, params["out.W"]) + params["out.b"])
    loss = categorical_crossentropy(probabilities, y).mean()
    return Graph(x, y, probabilities, loss, params)


def build(batch: int, device=None, seed: int = 0, image: int = BOOK["image"], channels: int = BOOK["channels"],
          filters=BOOK["filters"], kernel: int = BOOK["kernel"], border: str = BOOK["border"],
          hidden: int = BOOK["hidden"], classes: int = BOOK["classes"], optimizer: str = "sgd", lr: float = 0.05,
          momentum: float = 0.9) -> Network:
    """LeNet on ``device``; ``sample_inputs`` gives ``batch`` random images of ``image`` x ``image``."""
    batch = check_batch("lenet", batch)

    def sample(rng):
        return (rng.random((batch, channels, image, image), np.float32),
                rng.integers(0, classes, batch).astype(np.int64))

    net_graph = graph(image, channels, tuple(filters), kernel, border, hidden, classes, seed)
    return Network("lenet", net_graph, device, optimizer, lr, momentum, sample)
