"""The book's multilayer perceptron for digit classification (chapter 2): dense, tanh or ReLU,
dense, softmax. The book's MNIST network is 784-500-10; on the 8x8 digits it is 64-hidden-10.
"""
from __future__ import annotations

import numpy as np

from warpbench.graph import categorical_crossentropy, dot, matrix, relu, softmax, tanh, vector
from warpbench.networks.base import Graph, Network, check_batch
from warpbench.networks.init import constant_value, glorot_uniform, he_uniform

#: The book's sizes (MNIST), used by benchmarks.
BOOK = {"inputs": 784, "hidden": 500, "classes": 10}
ACTIVATIONS = {"tanh": tanh, "relu": relu}


def graph(inputs: int, hidden: int, classes: int, activation: str = "tanh", seed: int = 0) -> Graph:
    """The symbolic MLP: x (batch, inputs) -> probabilities (batch, classes), mean cross-entropy."""
    rng = np.random.default_rng(seed)
    init = glorot_uniform if activation == "tanh" else he_uniform
    params = {"W1": init(rng, (inputs, hidden), "W1"), "b1": constant_value((hidden,), 0.0, "b1"),
              "W2": glorot_uniform(rng, (hidden, classes), "W2"), "b2": constant_value((classes,), 0.0, "b2")}
    x, y = matrix("x"), vector("y", "int64")
    h = ACTIVATIONS[activation](dot(x, params["W1"]) + params["b1"])
    probabilities = softmax(dot(h, params["W2"]) + params["b2"])
    loss = categorical_crossentropy(probabilities, y).mean()
    return Graph(x, y, probabilities, loss, params)


def build(batch: int, device=None, seed: int = 0, inputs: int = BOOK["inputs"], hidden: int = BOOK["hidden"],
          classes: int = BOOK["classes"], activation: str = "tanh", optimizer: str = "sgd", lr: float = 0.1,
          momentum: float = 0.9) -> Network:
    """The MLP on ``device``; ``sample_inputs`` gives ``batch`` random examples of ``inputs`` features."""
    batch = check_batch("mlp", batch)

    def sample(rng):
        return (rng.standard_normal((batch, inputs)).astype(np.float32),
                rng.integers(0, classes, batch).astype(np.int64))

    return Network("mlp", graph(inputs, hidden, classes, activation, seed), device, optimizer, lr, momentum, sample)
