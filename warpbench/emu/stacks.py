"""Fiber stacks, shared by every module of the process.

One mapping holds 1024 stacks (the most threads a block may have), each with a
PROT_NONE guard page below it so a stack overflow faults instead of corrupting its
neighbour; MAP_NORESERVE keeps the cost to the pages fibers touch. Modules could each
map their own, but every guard page splits a mapping and the kernel caps their number.
``WARPBENCH_EMU_STACK_KIB`` sets the stack size (default 64 KiB).
"""
from __future__ import annotations

from functools import lru_cache

from warpbench.config import env_number
from warpbench.emu import pages

MAX_THREADS = 1024
SIGNAL_STACK_BYTES = 64 * 1024


class StackPool:
    """``count`` guarded stacks of ``stride`` bytes (guard page first) and a signal stack."""

    def __init__(self, stack_bytes: int):
        self.stride = pages.PAGE + pages.round_up(stack_bytes)
        self.count = MAX_THREADS
        self._memory = pages.reserve(self.stride * self.count + SIGNAL_STACK_BYTES, "fiber stacks")
        for i in range(self.count):
            pages.guard(self._memory[i * self.stride:i * self.stride + pages.PAGE])
        self.base = self._memory.ctypes.data
        self.signal_stack = self.base + self.stride * self.count


@lru_cache(maxsize=None)
def stack_pool() -> StackPool:
    """The process's stack pool, mapped on first use."""
    return StackPool(int(env_number("WARPBENCH_EMU_STACK_KIB", 64, minimum=16, integer=True)) * 1024)
