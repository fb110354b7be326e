"""Anonymous mappings with PROT_NONE guard regions, for fiber stacks and device arrays.

A mapping is reserved with MAP_NORESERVE, so a guard region costs address space, not
memory; touching a guard faults, which the runtime turns into a diagnostic. The mapping is
a Python ``mmap`` object: numpy arrays made over it keep it alive, and it is unmapped when
the last of them is collected.
"""
from __future__ import annotations

import ctypes
import mmap
import os

import numpy as np

from warpbench.emu.errors import DeviceMemoryError

PAGE = mmap.PAGESIZE
_PROT_NONE, _PROT_READ, _PROT_WRITE = 0, 1, 2
_MAP_NORESERVE = 0x4000
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


def round_up(nbytes: int, unit: int = PAGE) -> int:
    """``nbytes`` rounded up to a multiple of ``unit``."""
    return -(-nbytes // unit) * unit


def reserve(nbytes: int, what: str) -> np.ndarray:
    """A readable and writable uint8 array over a fresh private mapping of ``nbytes``
    (a multiple of the page size); raises DeviceMemoryError naming ``what`` when it cannot be mapped."""
    try:
        mapping = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | _MAP_NORESERVE)
    except OSError as exc:
        raise DeviceMemoryError(f"cannot map {nbytes} bytes for {what}: {exc.strerror}") from None
    return np.frombuffer(mapping, np.uint8)


def guard(pages: np.ndarray) -> None:
    """Make ``pages`` (a page-aligned slice of a reserved array) fault on any access."""
    if pages.size and _libc.mprotect(pages.ctypes.data, pages.size, _PROT_NONE):
        raise DeviceMemoryError(f"cannot make a guard region: {os.strerror(ctypes.get_errno())} (too many "
                                "live device arrays for the kernel's limit on mappings, vm.max_map_count?)")
