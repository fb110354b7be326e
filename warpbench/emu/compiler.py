"""PyCUDA's ``pycuda.compiler`` module: ``from warpbench.emu.compiler import SourceModule``."""
from __future__ import annotations

from warpbench.emu.driver import SourceModule

__all__ = ["SourceModule"]
