"""Emulated device arrays: host memory laid out like a ``cudaMalloc`` allocation.

Every allocation is a mapping of its own. Data starts on a 256-byte boundary and sits
between two canary redzones (256 bytes in front; behind, the rest of its last page, at
least 256 bytes), themselves between PROT_NONE guard regions (64 KiB in front, 2 MiB
behind: address space, not memory). The runtime checks the canaries after every block of
a launch, and a write into a guard region faults at once, so an out-of-bounds write is
reported with the buffer, the byte offset, the thread and the source line. An array made
by :func:`empty` without a fill is *uninitialised*: it holds the 0xFF poison pattern (NaN
for floats) until a kernel or the host writes it, and the determinism checker refills it
with each poison pattern.
"""
from __future__ import annotations

import math
from numbers import Number

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.emu import addresses, pages
from warpbench.emu.errors import InvalidAddress

ALIGNMENT = 256
REDZONE = 256
FRONT_GUARD = 64 * 1024
BACK_GUARD = 2 * 1024 * 1024
POISON = 0xFF
_CANARY = np.random.default_rng(0xCA4A21).integers(0, 256, REDZONE + ALIGNMENT + REDZONE + pages.PAGE,
                                                    dtype=np.uint8)


def _shape_tuple(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ShapeError(f"negative extent in array shape {shape}")
    return shape


class DeviceArray:
    """An array in emulated device memory, used like PyCUDA's ``GPUArray``.

    ``typed`` is False for raw allocations (``mem_alloc``), which any pointer parameter
    accepts; ``name`` labels the array in error messages. Indexing with integers and
    slices gives a contiguous view sharing the memory (and the redzones of the whole).
    """

    def __init__(self, shape, dtype, *, typed: bool = True, name: str | None = None):
        self.shape = _shape_tuple(shape)
        self.dtype = np.dtype(dtype)
        self.typed, self.name = typed, name
        self.nbytes = math.prod(self.shape) * self.dtype.itemsize
        accessible = pages.round_up(REDZONE + self.nbytes + REDZONE)
        raw = pages.reserve(FRONT_GUARD + accessible + BACK_GUARD, f"a {self.nbytes}-byte device array")
        pages.guard(raw[:FRONT_GUARD])
        pages.guard(raw[FRONT_GUARD + accessible:])
        start = FRONT_GUARD + REDZONE
        self._front = raw[FRONT_GUARD:start]
        self._back = raw[start + self.nbytes:FRONT_GUARD + accessible]
        self._bytes = raw[start:start + self.nbytes]
        self.data = self._bytes.view(self.dtype).reshape(self.shape)
        self._root = self
        self._uninitialized = False
        self.rearm_redzones()
        base = raw.ctypes.data
        self._address = base + start
        addresses.track(self, base, base + raw.size, self._address, self._address + self.nbytes,
                        f"a {self.describe()} device array")

    def __getitem__(self, index) -> "DeviceArray":
        view = self.data[index]
        if not isinstance(view, np.ndarray):
            view = self.data[np.index_exp[index] + (Ellipsis,)]
        if not view.flags.c_contiguous:
            raise ShapeError(f"device array view {index!r} of shape {self.shape} is not contiguous")
        return self.view_of(view, type(self))

    def view_of(self, data: np.ndarray, kind: type | None = None) -> "DeviceArray":
        """A device array of class ``kind`` (default: this one's) over ``data``, a contiguous
        numpy view of this array's allocation; it shares the memory and the redzones."""
        result = object.__new__(kind or type(self))
        result.shape, result.dtype, result.nbytes = tuple(data.shape), data.dtype, data.nbytes
        result.typed, result.name = self.typed, self.name
        result.data, result._root = data, self._root
        result._bytes = data.reshape(-1).view(np.uint8)
        return result

    def view_at(self, address: int, shape, dtype, kind: type | None = None) -> "DeviceArray":
        """A ``shape``/``dtype`` view starting at ``address`` inside this array's allocation;
        InvalidAddress when it does not fit there."""
        root, shape, dtype = self._root, _shape_tuple(shape), np.dtype(dtype)
        offset, nbytes = int(address) - root._address, math.prod(shape) * dtype.itemsize
        if offset < 0 or offset + nbytes > root.nbytes:
            raise InvalidAddress(f"{nbytes} bytes of {dtype}{list(shape)} at address 0x{int(address):x} do not "
                                 f"fit inside {root.describe()} device array at 0x{root._address:x}")
        if offset % dtype.alignment:
            raise InvalidAddress(f"address 0x{int(address):x} is not aligned for {dtype} elements")
        return self.view_of(root._bytes[offset:offset + nbytes].view(dtype).reshape(shape), kind)

    @property
    def uninitialized(self) -> bool:
        """True until the host or a kernel launch (given this array or a view of the same
        allocation) may have written it."""
        return self._root._uninitialized

    @uninitialized.setter
    def uninitialized(self, value: bool) -> None:
        self._root._uninitialized = value

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    @property
    def ptr(self) -> int:
        """Device address of the first element (what a kernel's pointer parameter receives)."""
        # numpy gives an empty slice the address of its base, here the front guard region.
        return self.data.ctypes.data if self.nbytes else self._root._address

    @property
    def gpudata(self) -> int:
        """PyCUDA's name for :attr:`ptr`."""
        return self.ptr

    def __int__(self) -> int:
        return self.ptr

    @property
    def __cuda_array_interface__(self) -> dict:
        """Numba's CUDA array interface (version 3): what other libraries read to share the array."""
        return {"shape": self.shape, "typestr": self.dtype.str, "data": (self.ptr, False), "strides": None,
                "version": 3}

    # No __len__: NumPy would take the array for a sequence, and ``np.intp(array) + offset``
    # (PyCUDA's way to pass an address inside an allocation) must give the address.
    __index__ = __int__

    def __repr__(self) -> str:
        return f"DeviceArray(shape={self.shape}, dtype={self.dtype}, ptr=0x{self.ptr:x})"

    def describe(self) -> str:
        """dtype, shape and size, e.g. ``float32[1000] (4000 bytes)``."""
        return f"{self.dtype}{list(self.shape)} ({self.nbytes} bytes)"

    def get(self) -> np.ndarray:
        """A host copy of the contents."""
        return self.data.copy()

    def set(self, array) -> None:
        """Overwrite the contents with ``array`` (same number of elements and dtype)."""
        array = np.asarray(array)
        if array.dtype != self.dtype:
            raise DTypeError(f"cannot set a {self.dtype} device array from {array.dtype} data")
        if array.size != self.size:
            raise ShapeError(f"cannot set a device array of shape {self.shape} from shape {array.shape}")
        self.data[...] = array.reshape(self.shape)
        self.uninitialized = False

    def fill(self, value) -> "DeviceArray":
        """Set every element to ``value`` (a number), or repeat ``value`` (bytes) over the memory."""
        if isinstance(value, (bytes, bytearray)):
            if not value:
                raise ValueError("an empty byte pattern cannot fill an array")
            pattern = np.frombuffer(bytes(value), np.uint8)
            self._bytes[:] = np.resize(pattern, self.nbytes)
        elif isinstance(value, Number) or np.isscalar(value):
            self.data[...] = value
        else:
            raise DTypeError(f"fill must be a number or a byte pattern, not {type(value).__name__}")
        self.uninitialized = False
        return self

    def poison(self, byte: int) -> None:
        """Fill the memory with ``byte`` and mark the array uninitialised."""
        self._bytes[:] = byte
        self.uninitialized = True

    def rearm_redzones(self) -> None:
        """Write the canary patterns (again, after a reported overrun)."""
        root = self._root
        root._front[:] = _CANARY[:REDZONE]
        root._back[:] = _CANARY[REDZONE:REDZONE + root._back.size]

    def redzones(self) -> list[tuple[int, int, int, bool]]:
        """(start address, expected pattern address, size, is behind the data) per redzone
        of the allocation this array belongs to."""
        root = self._root
        return [(root._front.ctypes.data, _CANARY.ctypes.data, REDZONE, False),
                (root._back.ctypes.data, _CANARY[REDZONE:].ctypes.data, root._back.size, True)]


def to_device(array) -> DeviceArray:
    """A device array holding a copy of ``array``."""
    array = np.asarray(array)
    result = DeviceArray(array.shape, array.dtype)
    result.data[...] = array
    return result


def empty(shape, dtype=np.float32, fill=None) -> DeviceArray:
    """A device array; without ``fill`` it is uninitialised (poisoned with 0xFF bytes),
    with a number every element takes that value (e.g. ``np.nan``), with bytes the pattern
    is repeated over its memory."""
    result = DeviceArray(shape, dtype)
    if fill is None:
        result.poison(POISON)
    else:
        result.fill(fill)
    return result


def zeros(shape, dtype=np.float32) -> DeviceArray:
    """A device array of zeros."""
    return empty(shape, dtype, fill=0)
