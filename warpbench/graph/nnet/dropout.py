"""``dropout(x, p, rng)`` with a seeded random stream: the same seed gives the same masks.

A :class:`RandomStream` holds its position in a shared int64 counter; each mask node draws
from NumPy's generator seeded with (seed, node number, counter), so two dropout layers
differ, and ``function(..., updates=rng.updates())`` moves every mask forward after each
call (Theano's random streams advance by the same kind of update). The mask is drawn on the
host; the multiplication by it runs wherever the graph runs.
"""
from __future__ import annotations

import itertools

import numpy as np

from warpbench.errors import WarpbenchError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op
from warpbench.graph.shared import shared


class RandomStream:
    """A seeded source of random masks; ``updates()`` gives the update advancing it."""

    def __init__(self, seed: int = 0):
        self.seed = int(seed)
        self.counter = shared(np.int64(0), name=f"random_stream_{self.seed}")
        self._nodes = itertools.count()

    def binomial_mask(self, like, p_keep: float):
        """A 0/1 mask of ``like``'s shape and dtype with P(1) = ``p_keep``."""
        return BernoulliMask(self.seed, next(self._nodes), p_keep)(like, self.counter)

    def updates(self) -> list:
        """[(counter, counter + 1)]: pass to ``function`` to draw new masks at every call."""
        return [(self.counter, self.counter + 1)]


class BernoulliMask(Op):
    """(like, counter) -> 0/1 array of like's shape and dtype, ones with probability p_keep."""

    __props__ = ("seed", "stream_index", "p_keep")
    shape_inputs = (0,)

    def __init__(self, seed: int, stream_index: int, p_keep: float):
        if not 0.0 < p_keep <= 1.0:
            raise WarpbenchError(f"dropout: the keep probability must be in (0, 1], got {p_keep!r}")
        self.seed, self.stream_index, self.p_keep = seed, stream_index, float(p_keep)

    def make_node(self, like, counter):
        like, counter = as_variable(like), as_variable(counter)
        return Apply(self, [like, counter], [like.type()])

    def perform(self, node, inputs, output_storage):
        like, counter = inputs
        rng = np.random.default_rng([self.seed, self.stream_index, int(counter)])
        output_storage[0][0] = (rng.random(like.shape) < self.p_keep).astype(like.dtype)

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[0])]

    def grad(self, inputs, output_grads):
        return [None, None]


def dropout(x, p: float, rng: RandomStream):
    """Zero each element of ``x`` with probability ``p`` and scale the rest by 1 / (1 - p)
    (inverted dropout: nothing to rescale at inference, where dropout is left out)."""
    if not 0.0 <= p < 1.0:
        raise WarpbenchError(f"dropout: p must be in [0, 1), got {p!r}")
    x = as_variable(x)
    if p == 0.0:
        return x
    return x * rng.binomial_mask(x, 1.0 - p) * (1.0 / (1.0 - p))
