"""PyCUDA's ``pycuda.tools`` helpers that kernels generated from Python need."""
from __future__ import annotations

import numpy as np

from warpbench.ctype import c_name
from warpbench.emu.transfers import mem_alloc


def dtype_to_ctype(dtype, with_fp_tex_hack: bool = False) -> str:
    """The C type of ``dtype``'s elements, e.g. ``"float"`` for float32."""
    return c_name(np.dtype(dtype))


class DeviceMemoryPool:
    """PyCUDA's memory pool: allocations come straight from the emulator here."""

    def allocate(self, nbytes: int):
        """An uninitialised allocation of ``nbytes`` bytes."""
        return mem_alloc(nbytes)

    def free_held(self) -> None:
        """Nothing is held."""

    def stop_holding(self) -> None:
        """Nothing is held."""


def clear_context_caches() -> None:
    """No context caches to clear."""


def bitlog2(n: int) -> int:
    """Index of the highest set bit of ``n`` (floor of log2)."""
    return int(n).bit_length() - 1
