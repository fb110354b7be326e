"""Theano's typed variable constructors: ``dscalar``, ``fvector``, ``imatrix``, ``ltensor3``...

The first letter is the dtype (b int8, w int16, i int32, l int64, f float32, d float64, c
complex64 and z complex128 are not supported), the rest the number of dimensions; the
untyped ``tensor3`` follows ``floatX`` like ``vector`` and ``matrix``.
"""
from __future__ import annotations

from warpbench.graph.basic import Variable, tensor

#: Theano's dtype letters.
DTYPE_LETTERS = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32", "d": "float64"}
#: Theano's names for each number of dimensions.
KINDS = {"scalar": 0, "vector": 1, "matrix": 2, "tensor3": 3, "tensor4": 4}


def _constructor(dtype: str | None, kind: str, ndim: int):
    def make(name: str | None = None) -> Variable:
        return tensor(name, dtype, ndim)
    make.__name__ = make.__qualname__ = f"{(dtype or 'floatX')}_{kind}"
    make.__doc__ = f"A free {ndim}-d input variable of {dtype or 'floatX'}, as Theano's constructor."
    return make


tensor3 = _constructor(None, "tensor3", 3)
_TYPED = {letter + kind: _constructor(dtype, kind, ndim)
          for letter, dtype in DTYPE_LETTERS.items() for kind, ndim in KINDS.items()}
globals().update(_TYPED)
__all__ = ["tensor3", *sorted(_TYPED)]
