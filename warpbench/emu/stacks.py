"""Fiber stacks, shared by every module of the process.

One mapping holds 1024 stacks (the most threads a block may have), each with a
PROT_NONE guard page below it so a stack overflow faults instead of corrupting its
neighbour; MAP_NORESERVE keeps the cost to the pages fibers touch. Modules could each
map their own, but every guard page splits a mapping and the kernel caps their number.
``WARPBENCH_EMU_STACK_KIB`` sets the stack size (default 64 KiB).
"""
from __future__ import annotations

import ctypes
import mmap
import os
from functools import lru_cache

from warpbench.config import env_number

MAX_THREADS = 1024
SIGNAL_STACK_BYTES = 64 * 1024
_PROT_NONE, _PROT_READ, _PROT_WRITE = 0, 1, 2
_MAP_PRIVATE, _MAP_ANONYMOUS, _MAP_NORESERVE = 0x02, 0x20, 0x4000


class StackPool:
    """``count`` guarded stacks of ``stride`` bytes (guard page first) and a signal stack."""

    def __init__(self, stack_bytes: int):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                              ctypes.c_int, ctypes.c_long]
        libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        page = mmap.PAGESIZE
        self.stride = page + -(-stack_bytes // page) * page
        self.count = MAX_THREADS
        size = self.stride * self.count + SIGNAL_STACK_BYTES
        base = libc.mmap(None, size, _PROT_NONE, _MAP_PRIVATE | _MAP_ANONYMOUS | _MAP_NORESERVE, -1, 0)
        if base in (None, ctypes.c_void_p(-1).value):
            raise MemoryError(f"cannot map {size} bytes of fiber stacks: {os.strerror(ctypes.get_errno())}")
        for i in range(self.count):
            if libc.mprotect(base + i * self.stride + page, self.stride - page, _PROT_READ | _PROT_WRITE):
                raise MemoryError(f"mprotect of a fiber stack failed: {os.strerror(ctypes.get_errno())}")
        self.signal_stack = base + self.stride * self.count
        libc.mprotect(self.signal_stack, SIGNAL_STACK_BYTES, _PROT_READ | _PROT_WRITE)
        self.base = base


@lru_cache(maxsize=None)
def stack_pool() -> StackPool:
    """The process's stack pool, mapped on first use."""
    return StackPool(int(env_number("WARPBENCH_EMU_STACK_KIB", 64, minimum=16, integer=True)) * 1024)
