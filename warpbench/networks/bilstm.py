"""The book's bi-LSTM sentence classifier (chapter 5): embedding, forward and backward LSTMs over
the tokens (one fused bilstm node), the forward direction's last state concatenated with the
backward direction's last (at t = 0), a softmax over the classes. x: (T, B) token ids.
"""
from __future__ import annotations

import numpy as np

from warpbench.graph import bilstm, categorical_crossentropy, concatenate, config, dot, matrix, softmax, vector
from warpbench.networks.base import Graph, Network, check_batch
from warpbench.networks.embedding import embed, embedding_table
from warpbench.networks.init import constant_value, glorot_uniform

#: Benchmark sizes: a 5000-word vocabulary, 128-wide embeddings, 256 hidden units per direction, 40 tokens.
BOOK = {"vocab": 5000, "embed": 128, "hidden": 256, "steps": 40, "classes": 2}


def graph(vocab: int, embed_size: int, hidden: int, classes: int, seed: int = 0) -> Graph:
    """The symbolic classifier: x (T, B) ids -> probabilities (B, classes)."""
    rng = np.random.default_rng(seed)
    params = {"embed": embedding_table(rng, vocab, embed_size, "embed", config.float_x())}
    for d in ("f", "b"):
        params[f"W_{d}"] = glorot_uniform(rng, (embed_size, 4 * hidden), f"W_{d}")
        params[f"U_{d}"] = glorot_uniform(rng, (hidden, 4 * hidden), f"U_{d}")
        bias = np.zeros(4 * hidden, config.float_x())
        bias[hidden:2 * hidden] = 1.0  # forget gate (order i, f, g, o) open at the start
        params[f"b_{d}"] = constant_value((4 * hidden,), 0.0, f"b_{d}")
        params[f"b_{d}"].set_value(bias)
    params["out.W"] = glorot_uniform(rng, (2 * hidden, classes), "out.W")
    params["out.b"] = constant_value((classes,), 0.0, "out.b")
    x, y = matrix("x", "int64"), vector("y", "int64")
    out = bilstm(embed(params["embed"], x), *(params[f"{w}_{d}"] for d in ("f", "b") for w in ("W", "U", "b")))
    summary = concatenate([out[-1, :, :hidden], out[0, :, hidden:]], axis=1)
    probabilities = softmax(dot(summary, params["out.W"]) + params["out.b"])
    loss = categorical_crossentropy(probabilities, y).mean()
    return Graph(x, y, probabilities, loss, params)


def build(batch: int, device=None, seed: int = 0, vocab: int = BOOK["vocab"], embed: int = BOOK["embed"],
          hidden: int = BOOK["hidden"], steps: int = BOOK["steps"], classes: int = BOOK["classes"],
          optimizer: str = "adam", lr: float = 0.01, momentum: float = 0.9) -> Network:
    """The classifier on ``device``; ``sample_inputs`` gives ``batch`` random sentences of ``steps`` tokens."""
    batch = check_batch("bilstm", batch)

    def sample(rng):
        return (rng.integers(0, vocab, (steps, batch)).astype(np.int64),
                rng.integers(0, classes, batch).astype(np.int64))

    return Network("bilstm", graph(vocab, embed, hidden, classes, seed), device, optimizer, lr, momentum, sample)
