"""Token embedding shared by the sequence networks: ids (T, B) -> vectors (T, B, E) through
one row lookup (``E[ids]``), whose gradient is the embedding scatter."""
from __future__ import annotations

import numpy as np

from warpbench.graph import flatten, reshape, shared


def embed(table, ids):
    """The rows of ``table`` (V, E) picked by the int matrix ``ids`` (T, B), as (T, B, E)."""
    rows = table[flatten(ids, 1)]
    # Every extent symbolic: a Python int here would be a constant input of the Reshape node.
    return reshape(rows, (ids.shape[0], ids.shape[1], table.shape[1]))


def embedding_table(rng: np.random.Generator, vocab: int, size: int, name: str, dtype: str):
    """A (vocab, size) table drawn from U(-0.1, 0.1), the book's choice for embeddings."""
    return shared(rng.uniform(-0.1, 0.1, (vocab, size)).astype(dtype), name)
