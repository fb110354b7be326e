"""Theano's typed input constructors: ``iscalar``, ``ivector``, ``fmatrix``, ``dtensor4``...

The first letter is the dtype as in Theano (b int8, w int16, i int32, l int64, f float32,
d float64), the rest the number of dimensions (scalar 0, vector 1, matrix 2, tensor3 3,
tensor4 4, tensor5 5). ``tensor3`` and ``tensor5`` without a letter take ``floatX``, as
``scalar``, ``vector``, ``matrix`` and ``tensor4`` do.
"""
from __future__ import annotations

from collections.abc import Callable

from warpbench.graph.basic import Variable, tensor

DTYPE_LETTERS = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32", "d": "float64"}
KINDS = {"scalar": 0, "vector": 1, "matrix": 2, "tensor3": 3, "tensor4": 4, "tensor5": 5}


def _typed_constructor(letter: str, kind: str) -> Callable[[str | None], Variable]:
    dtype, ndim = DTYPE_LETTERS[letter], KINDS[kind]

    def make(name: str | None = None) -> Variable:
        return tensor(name, dtype, ndim)
    make.__name__ = make.__qualname__ = f"{letter}{kind}"
    make.__doc__ = f"A free {ndim}-d input variable of {dtype}."
    return make


def tensor3(name: str | None = None, dtype=None) -> Variable:
    """A free 3-d input variable (e.g. a batch of sequences, time first)."""
    return tensor(name, dtype, 3)


def tensor5(name: str | None = None, dtype=None) -> Variable:
    """A free 5-d input variable."""
    return tensor(name, dtype, 5)


_typed = {f"{letter}{kind}": _typed_constructor(letter, kind) for letter in DTYPE_LETTERS for kind in KINDS}
globals().update(_typed)

__all__ = ["tensor3", "tensor5", *_typed]
