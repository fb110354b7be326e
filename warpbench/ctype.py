"""The C types of kernel parameters and their NumPy counterparts: the one table.

Specs declare parameters in C (``"const float*"``, ``"int"``) and the emulator reports
the C type of every parameter of a compiled kernel; both are read through this table:
the dtype of a value, the dtypes an array passed for a pointer may have, and how a
by-value argument is checked (same NumPy kind and width).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from warpbench.errors import DTypeError


@dataclass(frozen=True)
class CType:
    """One C type: ``dtype`` is its value's NumPy dtype (None where NumPy has none, as for
    ``__nv_bfloat16`` or ``float4``); ``pointee`` the array dtypes a pointer to it accepts
    (None: any, for ``void*``)."""

    name: str
    dtype: str | None
    pointee: tuple[str, ...] | None

    @property
    def size(self) -> int | None:
        """Bytes of a value passed by value (None when the table cannot tell)."""
        return np.dtype(self.dtype).itemsize if self.dtype else None

    @property
    def kinds(self) -> str:
        """NumPy kinds a by-value argument may have: signed and unsigned integers both pass
        for an integer parameter of the same width."""
        kind = np.dtype(self.dtype).kind if self.dtype else ""
        return "iu" if kind in ("i", "u") else kind

    @property
    def numpy_name(self) -> str:
        """How to write the NumPy scalar type in a hint, e.g. ``np.int32``."""
        return f"np.{'bool_' if self.dtype == 'bool' else self.dtype}"


def _scalar(name: str, dtype: str, *also: str) -> CType:
    return CType(name, dtype, (dtype, *also))


_SCALARS = (
    _scalar("bool", "bool"), _scalar("char", "int8", "uint8", "bool"), _scalar("signed char", "int8"),
    _scalar("unsigned char", "uint8", "bool"), _scalar("short", "int16"), _scalar("unsigned short", "uint16"),
    _scalar("int", "int32"), _scalar("unsigned int", "uint32"), _scalar("long", "int64"),
    _scalar("long long", "int64"), _scalar("unsigned long", "uint64"), _scalar("unsigned long long", "uint64"),
    _scalar("float", "float32"), _scalar("double", "float64"), _scalar("__half", "float16"),
    CType("__half2", None, ("float16",)), CType("__nv_bfloat16", None, ("uint16", "int16")),
    CType("__nv_bfloat162", None, ("uint16", "int16")), CType("void", None, None),
)
C_TYPES: dict[str, CType] = {t.name: t for t in _SCALARS}
C_TYPES["unsigned"] = C_TYPES["unsigned int"]
C_TYPES["signed"] = C_TYPES["int"]

# CUDA's vector types (float4, uchar2...): a pointer to one takes arrays of the element type.
_VECTOR_ELEMENTS = {"char": "signed char", "uchar": "unsigned char", "short": "short", "ushort": "unsigned short",
                    "int": "int", "uint": "unsigned int", "long": "long", "ulong": "unsigned long",
                    "longlong": "long long", "ulonglong": "unsigned long long", "float": "float",
                    "double": "double"}
for _base, _element in _VECTOR_ELEMENTS.items():
    for _width in "1234":
        C_TYPES[_base + _width] = CType(_base + _width, None, C_TYPES[_element].pointee)


def strip_qualifiers(ctype: str) -> str:
    """``"const float *"`` -> ``"float*"``: the type without const/volatile, pointers kept."""
    words = [w for w in ctype.replace("*", " * ").split() if w not in ("const", "volatile")]
    return " ".join(words).replace(" *", "*")


def lookup(ctype: str) -> CType | None:
    """The table entry of a value type (qualifiers ignored; None for structs and unknown names)."""
    return C_TYPES.get(strip_qualifiers(ctype))


def value_dtype(ctype: str) -> np.dtype:
    """NumPy dtype of a value of ``ctype``; DTypeError when NumPy has no such type."""
    entry = lookup(ctype)
    if entry is None or entry.dtype is None:
        raise DTypeError(f"C type {ctype!r} has no NumPy dtype")
    return np.dtype(entry.dtype)


# The spelling generated code uses where C has several names for one dtype.
_PREFERRED = {"int8": "signed char", "int64": "long long", "uint64": "unsigned long long"}


def c_name(dtype) -> str:
    """The C type of a NumPy dtype's elements (``float32`` -> ``"float"``); DTypeError when C has none."""
    name = np.dtype(dtype).name
    if name in _PREFERRED:
        return _PREFERRED[name]
    for ctype in _SCALARS:
        if ctype.dtype == name:
            return ctype.name
    raise DTypeError(f"dtype {name} has no C type in warpbench's table")
