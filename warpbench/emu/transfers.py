"""Raw device memory as PyCUDA's driver module handles it: allocations, copies between host
and device, fills, and arrays read back from an address.

Every address is checked against the live allocations (:mod:`warpbench.emu.addresses`),
so a copy to address 0 or past the end of an allocation is a one-line error instead of a
crash; ``int(allocation) + offset`` addresses work as on a GPU.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import ctypes

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.emu import addresses
from warpbench.emu.errors import InvalidAddress
from warpbench.emu.memory import POISON, DeviceArray


class DeviceAllocation(DeviceArray):
    """Raw bytes from :func:`mem_alloc`, used like PyCUDA's ``DeviceAllocation`` (no
    indexing: ``.data`` shows the bytes)."""

    __getitem__ = None

    def free(self) -> None:
        """Mark the memory uninitialised again (it is unmapped when the object is collected)."""
        self.poison(POISON)


class PointerHolderBase(ABC):
    """PyCUDA's base for objects that hold device memory: subclasses define ``get_pointer``."""

    @abstractmethod
    def get_pointer(self) -> int:
        """The device address held."""

    def __int__(self) -> int:
        return int(self.get_pointer())

    __index__ = __int__


def mem_alloc(nbytes: int) -> DeviceAllocation:
    """An untyped device allocation (any pointer parameter accepts it); uninitialised."""
    allocation = DeviceAllocation((int(nbytes),), np.uint8, typed=False)
    allocation.poison(POISON)
    return allocation


def mem_alloc_like(array) -> DeviceAllocation:
    """An uninitialised allocation of ``array.nbytes`` bytes."""
    return mem_alloc(array.nbytes)


def _owner(address: int, operation: str, role: str):
    region = addresses.region_at(address)
    if region is None or not region.data_start <= address <= region.data_end:
        raise InvalidAddress(f"{operation}: {role} address 0x{address:x} is not inside a live device "
                             "allocation or __device__ variable")
    return region


def _device_bytes(target, nbytes: int, operation: str, role: str) -> int:
    """The address of ``nbytes`` of device memory at ``target`` (a DeviceArray or an
    address); ShapeError or InvalidAddress when they are not all inside one live
    allocation or ``__device__`` variable."""
    if isinstance(target, DeviceArray):
        if nbytes > target.nbytes:
            raise ShapeError(f"{operation}: copying {nbytes} bytes overruns the {role}, "
                             f"a {target.describe()} device array")
        if role == "destination":
            target.uninitialized = False
        return target.ptr
    if isinstance(target, PointerHolderBase):
        target = target.get_pointer()
    if isinstance(target, (bool, np.bool_)) or not isinstance(target, (int, np.integer)):
        raise DTypeError(f"{operation}: the {role} must be a device array or an address, "
                         f"not {type(target).__name__}")
    address = int(target)
    region = _owner(address, operation, role)
    if address + nbytes > region.data_end:
        raise InvalidAddress(f"{operation}: {nbytes} bytes at {role} address 0x{address:x} run "
                             f"{address + nbytes - region.data_end} bytes past the end of {region.label}")
    owner = region.owner()
    if role == "destination" and isinstance(owner, DeviceArray):
        owner.uninitialized = False
    return address


def memcpy_htod(dest, src) -> None:
    """Copy the host array ``src`` to the device array or address ``dest``."""
    src = np.ascontiguousarray(src)
    ctypes.memmove(_device_bytes(dest, src.nbytes, "memcpy_htod", "destination"), src.ctypes.data, src.nbytes)


def memcpy_dtoh(dest: np.ndarray, src) -> None:
    """Copy from the device array or address ``src`` into the contiguous host array ``dest``."""
    if not isinstance(dest, np.ndarray) or not dest.flags.c_contiguous or not dest.flags.writeable:
        raise DTypeError("memcpy_dtoh needs a writable C-contiguous numpy array as destination")
    ctypes.memmove(dest.ctypes.data, _device_bytes(src, dest.nbytes, "memcpy_dtoh", "source"), dest.nbytes)


def memcpy_dtod(dest, src, size: int) -> None:
    """Copy ``size`` bytes between two device arrays or addresses (overlap allowed)."""
    size = int(size)
    ctypes.memmove(_device_bytes(dest, size, "memcpy_dtod", "destination"),
                   _device_bytes(src, size, "memcpy_dtod", "source"), size)


def memcpy_htod_async(dest, src, stream=None) -> None:
    """:func:`memcpy_htod`; copies complete at once here, so every stream is already in order."""
    memcpy_htod(dest, src)


def memcpy_dtoh_async(dest: np.ndarray, src, stream=None) -> None:
    """:func:`memcpy_dtoh`, complete on return."""
    memcpy_dtoh(dest, src)


def memcpy_dtod_async(dest, src, size: int, stream=None) -> None:
    """:func:`memcpy_dtod`, complete on return."""
    memcpy_dtod(dest, src, size)


def _memset(dest, value: int, count: int, dtype, operation: str) -> None:
    dtype = np.dtype(dtype)
    address = _device_bytes(dest, int(count) * dtype.itemsize, operation, "destination")
    pattern = np.full(int(count), value, dtype=dtype)
    ctypes.memmove(address, pattern.ctypes.data, pattern.nbytes)


def memset_d8(dest, value: int, count: int) -> None:
    """Set ``count`` bytes at ``dest`` to ``value``."""
    _memset(dest, value, count, np.uint8, "memset_d8")


def memset_d16(dest, value: int, count: int) -> None:
    """Set ``count`` 16-bit words at ``dest`` to ``value``."""
    _memset(dest, value, count, np.uint16, "memset_d16")


def memset_d32(dest, value: int, count: int) -> None:
    """Set ``count`` 32-bit words at ``dest`` to ``value``."""
    _memset(dest, value, count, np.uint32, "memset_d32")


def device_array_at(address, shape, dtype, kind: type | None = None) -> DeviceArray:
    """A device array of ``shape`` and ``dtype`` over the memory at ``address`` (a device
    array or an address inside a live allocation), sharing it."""
    if isinstance(address, DeviceArray):
        return address.view_at(address.ptr, shape, dtype, kind)
    if isinstance(address, PointerHolderBase):
        address = address.get_pointer()
    if isinstance(address, (bool, np.bool_)) or not isinstance(address, (int, np.integer)):
        raise DTypeError(f"expected a device array or an address, not {type(address).__name__}")
    owner = _owner(int(address), "device array", "start").owner()
    if not isinstance(owner, DeviceArray):
        raise InvalidAddress(f"address 0x{int(address):x} is a __device__ variable, not an allocation")
    return owner.view_at(int(address), shape, dtype, kind)


def from_device(address, shape, dtype, order: str = "C") -> np.ndarray:
    """A host array of ``shape`` and ``dtype`` copied from the device memory at ``address``."""
    result = np.empty(shape, dtype, order=order)
    memcpy_dtoh(result if order == "C" else result.T, address)
    return result


def from_device_like(address, array: np.ndarray) -> np.ndarray:
    """A host array like ``array`` (shape and dtype) copied from ``address``."""
    return from_device(address, array.shape, array.dtype)
