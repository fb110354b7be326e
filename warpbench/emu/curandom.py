"""PyCUDA's ``pycuda.curandom`` on the emulator: ``rand``, and generators with ``gen_uniform``
and ``gen_normal``.

The numbers are drawn on the host by NumPy's PCG64 (seeded) and copied into a new GPUArray:
the same distributions as cuRAND's, not the same stream of numbers, so code that depends on
the distribution runs as on a GPU and code that depends on cuRAND's exact values does not.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError
from warpbench.emu.gpuarray import GPUArray, to_gpu


def _float(dtype, what: str) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise DTypeError(f"curandom.{what}: float32 or float64 only, got {dtype}")
    return dtype


class RandomNumberGenerator:
    """A seeded generator (PyCUDA's XORWOW/MRG32k3a/Sobol generators share this surface)."""

    def __init__(self, seed: int | None = None, *args, **kwargs):
        self._rng = np.random.default_rng(seed)

    def gen_uniform(self, shape, dtype=np.float32, stream=None) -> GPUArray:
        """Uniform numbers in [0, 1)."""
        return to_gpu(self._rng.random(shape, dtype=_float(dtype, "gen_uniform")))

    def gen_normal(self, shape, dtype=np.float32, stream=None) -> GPUArray:
        """Standard normal numbers."""
        return to_gpu(self._rng.standard_normal(shape, dtype=_float(dtype, "gen_normal")))

    def fill_uniform(self, data: GPUArray, stream=None) -> None:
        """Overwrite ``data`` with uniform numbers in [0, 1)."""
        data.set(self._rng.random(data.shape, dtype=_float(data.dtype, "fill_uniform")))

    def fill_normal(self, data: GPUArray, stream=None) -> None:
        """Overwrite ``data`` with standard normal numbers."""
        data.set(self._rng.standard_normal(data.shape, dtype=_float(data.dtype, "fill_normal")))


XORWOWRandomNumberGenerator = MRG32k3aRandomNumberGenerator = RandomNumberGenerator
_default = RandomNumberGenerator()


def rand(shape, dtype=np.float32, stream=None) -> GPUArray:
    """Uniform numbers in [0, 1) in a new GPUArray (PyCUDA's ``curandom.rand``)."""
    return _default.gen_uniform(shape, dtype)
