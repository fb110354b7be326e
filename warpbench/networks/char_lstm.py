"""The book's character-level LSTM language model (chapter 4): embedding, one fused LSTM layer,
softmax over the vocabulary at every step; trained on the next character, it samples text from
a seed. Inputs are time-major: x and y (T, B) character ids, y being x shifted by one.
"""
from __future__ import annotations

import numpy as np

from warpbench.graph import categorical_crossentropy, config, dot, flatten, lstm, matrix, reshape, softmax
from warpbench.networks.base import Graph, Network, check_batch
from warpbench.networks.data import DataError, Vocabulary
from warpbench.networks.embedding import embed, embedding_table
from warpbench.networks.init import constant_value, glorot_uniform

#: Benchmark sizes: the book's 512 hidden units, 50-character windows, a 65-character vocabulary.
BOOK = {"vocab": 65, "embed": 64, "hidden": 512, "steps": 50}


def graph(vocab: int, embed_size: int, hidden: int, seed: int = 0) -> Graph:
    """The symbolic model: x (T, B) ids -> probabilities (T * B, vocab), time-major rows."""
    rng = np.random.default_rng(seed)
    forget_bias = np.zeros(4 * hidden, config.float_x())
    forget_bias[hidden:2 * hidden] = 1.0  # gate order i, f, g, o: start by remembering
    params = {"embed": embedding_table(rng, vocab, embed_size, "embed", config.float_x()),
              "lstm.W": glorot_uniform(rng, (embed_size, 4 * hidden), "lstm.W"),
              "lstm.U": glorot_uniform(rng, (hidden, 4 * hidden), "lstm.U"),
              "lstm.b": constant_value((4 * hidden,), 0.0, "lstm.b"),
              "out.W": glorot_uniform(rng, (hidden, vocab), "out.W"),
              "out.b": constant_value((vocab,), 0.0, "out.b")}
    params["lstm.b"].set_value(forget_bias)
    x, y = matrix("x", "int64"), matrix("y", "int64")
    hs, _ = lstm(embed(params["embed"], x), params["lstm.W"], params["lstm.U"], params["lstm.b"])
    rows = reshape(hs, (hs.shape[0] * hs.shape[1], hs.shape[2]))  # (T * B, hidden), time-major
    probabilities = softmax(dot(rows, params["out.W"]) + params["out.b"])
    loss = categorical_crossentropy(probabilities, flatten(y, 1)).mean()
    return Graph(x, y, probabilities, loss, params)


class LanguageModel(Network):
    """A character network that also writes text: :meth:`sample`."""

    def __init__(self, *args, vocabulary: Vocabulary | None = None, context: int = 64, **kwargs):
        super().__init__(*args, **kwargs)
        self.vocabulary, self.context = vocabulary, context

    def sample(self, seed_text: str, n: int, temperature: float = 1.0, rng: np.random.Generator | None = None) -> str:
        """``seed_text`` followed by ``n`` characters drawn one at a time from the model, each
        seeing the last ``context`` characters; ``temperature`` < 1 sharpens the choice."""
        if self.vocabulary is None:
            raise DataError("char_lstm.sample: this model was built without a vocabulary (build(..., vocabulary=...))")
        rng = rng or np.random.default_rng(0)
        ids = list(self.vocabulary.encode(seed_text))
        for _ in range(n):
            window = np.array(ids[-self.context:], np.int64).reshape(-1, 1)
            logits = np.log(self.forward(window)[-1].astype(np.float64) + 1e-12) / temperature
            p = np.exp(logits - logits.max())
            ids.append(int(rng.choice(len(p), p=p / p.sum())))
        return self.vocabulary.decode(ids)


def build(batch: int, device=None, seed: int = 0, vocab: int = BOOK["vocab"], embed: int = BOOK["embed"],
          hidden: int = BOOK["hidden"], steps: int = BOOK["steps"], vocabulary: Vocabulary | None = None,
          optimizer: str = "adam", lr: float = 0.01, momentum: float = 0.9) -> LanguageModel:
    """The language model on ``device`` (``vocabulary`` sets ``vocab``); ``sample_inputs`` gives
    ``batch`` random windows of ``steps`` characters."""
    batch = check_batch("char_lstm", batch)
    if vocabulary is not None:
        vocab = len(vocabulary.chars)

    def sample(rng):
        x = rng.integers(0, vocab, (steps, batch)).astype(np.int64)
        return x, rng.integers(0, vocab, (steps, batch)).astype(np.int64)

    return LanguageModel("char_lstm", graph(vocab, embed, hidden, seed), device, optimizer, lr, momentum, sample,
                         vocabulary=vocabulary)
