"""Seeded random streams, as Theano's ``RandomStreams``: ``normal``, ``uniform``, ``binomial``
draws and the Bernoulli masks of dropout.

A :class:`RandomStream` holds its position in a shared int64 counter; each draw node takes
NumPy's generator seeded with (seed, node number, counter), so two draws differ, the same
seed gives the same values, and ``function(..., updates=rng.updates())`` moves every draw
forward after each call. Draws are made on the host; what consumes them runs wherever the
graph runs.
"""
from __future__ import annotations

import itertools

import numpy as np

from warpbench.errors import WarpbenchError
from warpbench.graph.basic import Apply, as_variable, constant
from warpbench.graph.config import float_x
from warpbench.graph.op import Op
from warpbench.graph.shared import shared
from warpbench.graph.type import TensorType


class RandomStream:
    """A seeded source of random draws; ``updates()`` gives the update advancing it."""

    def __init__(self, seed: int = 0):
        self.seed = int(seed)
        self.counter = shared(np.int64(0), name=f"random_stream_{self.seed}")
        self._nodes = itertools.count()

    def binomial_mask(self, like, p_keep: float):
        """A 0/1 mask of ``like``'s shape and dtype with P(1) = ``p_keep``."""
        return BernoulliMask(self.seed, next(self._nodes), p_keep)(like, self.counter)

    def _draw(self, distribution: str, size, params: tuple, dtype):
        sizes = [size] if isinstance(size, int) or getattr(size, "ndim", None) == 0 else list(size)
        dims = [constant(s, "int64") if isinstance(s, (int, np.integer)) else as_variable(s) for s in sizes]
        op = RandomDraw(self.seed, next(self._nodes), distribution, tuple(float(p) for p in params),
                        np.dtype(dtype or float_x()).name)
        return op(self.counter, *dims)

    def normal(self, size, avg: float = 0.0, std: float = 1.0, dtype=None):
        """Normal draws of shape ``size`` (ints or int scalar variables, e.g. ``x.shape``)."""
        return self._draw("normal", size, (avg, std), dtype)

    def uniform(self, size, low: float = 0.0, high: float = 1.0, dtype=None):
        """Uniform draws in [low, high) of shape ``size``."""
        return self._draw("uniform", size, (low, high), dtype)

    def binomial(self, size, n: int = 1, p: float = 0.5, dtype="int64"):
        """Binomial draws (``n`` trials, success probability ``p``) of shape ``size``."""
        return self._draw("binomial", size, (n, p), dtype)

    def updates(self) -> list:
        """[(counter, counter + 1)]: pass to ``function`` to draw new values at every call."""
        return [(self.counter, self.counter + 1)]


def _generator(seed: int, stream_index: int, counter) -> np.random.Generator:
    return np.random.default_rng([seed, stream_index, int(counter)])


class RandomDraw(Op):
    """(counter, *size) -> draws of ``distribution`` with ``params``, in ``dtype``."""

    __props__ = ("seed", "stream_index", "distribution", "params", "dtype")
    DISTRIBUTIONS = ("normal", "uniform", "binomial")

    def __init__(self, seed: int, stream_index: int, distribution: str, params: tuple, dtype: str):
        if distribution not in self.DISTRIBUTIONS:
            raise WarpbenchError(f"random draw: unknown distribution {distribution!r}")
        if distribution == "normal" and params[1] < 0:
            raise WarpbenchError(f"RandomStream.normal: std must be >= 0, got {params[1]!r}")
        if distribution == "binomial" and not (0.0 <= params[1] <= 1.0 and params[0] >= 0):
            raise WarpbenchError(f"RandomStream.binomial: needs n >= 0 and p in [0, 1], got n={params[0]!r}, "
                                 f"p={params[1]!r}")
        self.seed, self.stream_index, self.distribution = seed, stream_index, distribution
        self.params, self.dtype = params, dtype

    def __str__(self):
        return f"RandomDraw{{{self.distribution}{self.params}}}"

    def make_node(self, counter, *size):
        for dim in size:
            if dim.ndim != 0 or dim.dtype[:3] not in ("int", "uin"):
                raise WarpbenchError(f"{self}: a size is made of integers, got {dim} of type {dim.type}")
        return Apply(self, [as_variable(counter), *size], [TensorType(self.dtype, len(size))()])

    def perform(self, node, inputs, output_storage):
        counter, *size = inputs
        shape = tuple(int(s) for s in size)
        if any(s < 0 for s in shape):
            raise WarpbenchError(f"{self}: negative size {shape}")
        rng = _generator(self.seed, self.stream_index, counter)
        first, second = self.params
        draw = {"normal": lambda: rng.normal(first, second, shape), "uniform": lambda: rng.uniform(first, second, shape),
                "binomial": lambda: rng.binomial(int(first), second, shape)}[self.distribution]
        output_storage[0][0] = np.asarray(draw(), dtype=self.dtype)

    def infer_shape_from_extents(self, node, input_shapes, extents):
        """The shape is the size inputs' values."""
        return [tuple(int(extents[v]) for v in node.inputs[1:])]

    def infer_shape(self, node, input_shapes):
        return None

    def grad(self, inputs, output_grads):
        return [None] * len(inputs)


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
        rng = _generator(self.seed, self.stream_index, counter)
        output_storage[0][0] = (rng.random(like.shape) < self.p_keep).astype(like.dtype)

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[0])]

    def grad(self, inputs, output_grads):
        return [None, None]
