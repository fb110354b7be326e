"""Checking launch arguments against a kernel's parameter types and packing them.

Each kernel exports the C type of every parameter, so a float64 array passed for a
``float*``, or a Python int for an ``int``, is refused with the kernel, the parameter and
both types named, where a GPU would silently read garbage.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import numpy as np

from warpbench.ctype import lookup, strip_qualifiers
from warpbench.errors import DTypeError
from warpbench.emu.memory import DeviceArray


@dataclass
class PackedArgs:
    """A launch's argument array and what the runtime needs to watch: the arrays passed
    (with their parameter index), kept alive with the ctypes buffers until the launch ends."""
    pointers: ctypes.Array
    arrays: list[tuple[int, DeviceArray]] = field(default_factory=list)
    keep_alive: list = field(default_factory=list)


class ArgumentPacker:
    """Checks and packs the arguments of one kernel."""

    def __init__(self, kernel: str, param_types: list[str], param_names: list[str]):
        self.kernel, self.param_types, self.param_names = kernel, param_types, param_names

    def _where(self, index: int) -> str:
        return (f"kernel '{self.kernel}' parameter {index} '{self.param_names[index]}' "
                f"({self.param_types[index]})")

    def _pointer(self, index: int, arg) -> int:
        ctype = strip_qualifiers(self.param_types[index])
        if isinstance(arg, DeviceArray):
            pointee = lookup(ctype[:-1]) if ctype.count("*") == 1 else None
            accepted = pointee.pointee if pointee else None
            if arg.typed and accepted is not None and arg.dtype.name not in accepted:
                raise DTypeError(f"{self._where(index)}: got a {arg.dtype.name} array, expected "
                                 f"{' or '.join(accepted)}")
            return arg.ptr
        if isinstance(arg, (int, np.integer)) and not isinstance(arg, (bool, np.bool_)):
            return int(arg)
        if isinstance(arg, np.ndarray):
            raise DTypeError(f"{self._where(index)}: got a host numpy array; pass a device array "
                             "(to_device) or wrap it in In/Out/InOut")
        raise DTypeError(f"{self._where(index)}: expected a device array, got {type(arg).__name__}")

    def _scalar(self, index: int, arg) -> bytes:
        ctype = strip_qualifiers(self.param_types[index])
        entry = lookup(ctype)
        known = entry is not None and entry.dtype is not None
        if isinstance(arg, (bool, int, float)) and not isinstance(arg, np.generic):
            hint = entry.numpy_name if known else "a numpy scalar"
            raise DTypeError(f"{self._where(index)}: got a Python {type(arg).__name__} ({arg!r}); pass "
                             f"a numpy scalar of the exact width, e.g. {hint}({arg!r}), as with PyCUDA")
        if isinstance(arg, DeviceArray):
            raise DTypeError(f"{self._where(index)}: got a device array for a by-value parameter")
        value = np.asarray(arg)
        if known:
            if value.ndim != 0 or value.dtype.kind not in entry.kinds or value.dtype.itemsize != entry.size:
                got = (f"numpy.{value.dtype.name}" if value.ndim == 0
                       else f"a {value.dtype.name} array of shape {value.shape}")
                raise DTypeError(f"{self._where(index)}: got {got} ({value.dtype.itemsize}-byte "
                                 f"elements), expected {entry.size} bytes; pass {entry.numpy_name}(...)")
            return value.tobytes()
        size = int(ctype[len("struct["):-1]) if ctype.startswith("struct[") else None
        if size is not None and value.nbytes != size:
            raise DTypeError(f"{self._where(index)}: got {value.nbytes} bytes of {value.dtype}, "
                             f"the parameter takes {size}")
        return value.tobytes()

    def pack(self, args: tuple) -> PackedArgs:
        """Check ``args`` and build the ``void**`` array the kernel thunk unpacks."""
        if len(args) != len(self.param_types):
            names = ", ".join(self.param_names)
            raise DTypeError(f"kernel '{self.kernel}' takes {len(self.param_types)} arguments "
                             f"({names}), got {len(args)}")
        slots, arrays = [], []
        for index, arg in enumerate(args):
            if self.param_types[index].endswith("*"):
                slots.append(self._pointer(index, arg).to_bytes(8, "little"))
                if isinstance(arg, DeviceArray):
                    arrays.append((index, arg))
            else:
                slots.append(self._scalar(index, arg))
        slot_size = 16 * max([1] + [-(-len(s) // 16) for s in slots])
        storage = ctypes.create_string_buffer(b"".join(s.ljust(slot_size, b"\0") for s in slots) or b"\0")
        base = ctypes.addressof(storage)
        pointers = (ctypes.c_void_p * max(1, len(slots)))(*[base + i * slot_size for i in range(len(slots))])
        return PackedArgs(pointers, arrays, [storage])
