"""CUDA's vector types as NumPy structured dtypes (PyCUDA's ``gpuarray.vec``):
``vec.float3`` is ``{x, y, z}`` of float32, ``vec.make_float3(1, 2, 3)`` a value of it.

Arrays of them pass for ``float3*`` parameters and values for ``float3`` parameters.
"""
from __future__ import annotations

import numpy as np

_BASES = {"char": np.int8, "uchar": np.uint8, "short": np.int16, "ushort": np.uint16, "int": np.int32,
          "uint": np.uint32, "long": np.int64, "ulong": np.uint64, "longlong": np.int64,
          "ulonglong": np.uint64, "float": np.float32, "double": np.float64}
_FIELDS = "xyzw"


def _vector_dtype(base, count: int) -> np.dtype:
    # CUDA aligns 2- and 4-element vectors to their size; 3-element ones only to the element.
    align = count in (2, 4)
    return np.dtype({"names": list(_FIELDS[:count]), "formats": [base] * count}, align=align)


def _maker(dtype: np.dtype):
    def make(*values):
        """A value of this vector type."""
        return np.array(tuple(values), dtype=dtype)[()]
    return make


for _name, _base in _BASES.items():
    for _count in (1, 2, 3, 4):
        _dtype = _vector_dtype(_base, _count)
        globals()[f"{_name}{_count}"] = _dtype
        globals()[f"make_{_name}{_count}"] = _maker(_dtype)
