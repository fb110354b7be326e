"""``dropout(x, p, rng)`` with a seeded random stream (random.py): the same seed gives the same
masks, two dropout layers differ, and ``function(..., updates=rng.updates())`` draws new masks
at every call. The mask is drawn on the host; the multiplication by it runs wherever the
graph runs.
"""
from __future__ import annotations

from warpbench.errors import WarpbenchError
from warpbench.graph.basic import as_variable
from warpbench.graph.nnet.random import RandomStream


def dropout(x, p: float, rng: RandomStream):
    """Zero each element of ``x`` with probability ``p`` and scale the rest by 1 / (1 - p)
    (inverted dropout: nothing to rescale at inference, where dropout is left out)."""
    if not 0.0 <= p < 1.0:
        raise WarpbenchError(f"dropout: p must be in [0, 1), got {p!r}")
    x = as_variable(x)
    if p == 0.0:
        return x
    return x * rng.binomial_mask(x, 1.0 - p) * (1.0 / (1.0 - p))
