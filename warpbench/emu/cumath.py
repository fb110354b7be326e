"""PyCUDA's ``pycuda.cumath`` on the emulator: ``from warpbench.emu import cumath``.

Elementwise math on float GPUArrays (``exp``, ``log``, ``sqrt``, ``sin``... and ``fmod``),
each a generated CUDA kernel run through the emulator, compiled once per function and dtype.
As in PyCUDA, ``out=`` writes into an existing array of the same shape and dtype.
"""
from __future__ import annotations

import numpy as np

from warpbench.ctype import c_name
from warpbench.errors import DTypeError, ShapeError
from warpbench.emu.gpuarray import GPUArray, _kernel

UNARY = ("fabs", "ceil", "floor", "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan",
         "sinh", "cosh", "tanh")


def _output(name: str, array, out):
    if not isinstance(array, GPUArray):
        raise DTypeError(f"cumath.{name}: expected a GPUArray, got {type(array).__name__}")
    if array.dtype not in (np.float32, np.float64):
        raise DTypeError(f"cumath.{name}: takes float32 or float64 arrays, got {array.dtype}")
    if out is None:
        return GPUArray(array.shape, array.dtype)
    if not isinstance(out, GPUArray) or out.shape != array.shape or out.dtype != array.dtype:
        raise ShapeError(f"cumath.{name}: out= must be a {array.dtype} GPUArray of shape {array.shape}")
    return out


def _unary(name: str):
    def apply(array: GPUArray, stream=None, out: GPUArray | None = None) -> GPUArray:
        result = _output(name, array, out)
        ct = c_name(array.dtype)
        function = name if array.dtype == np.float64 else f"{name}f"
        _kernel(f"wb_cumath_{name}_{array.dtype}", f"{ct} *z, const {ct} *x", f"z[i] = {function}(x[i])")(result,
                                                                                                            array)
        return result
    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name} of every element (a new GPUArray, or ``out``)."
    return apply


globals().update({name: _unary(name) for name in UNARY})


def fmod(arg: GPUArray, mod: GPUArray, stream=None, out: GPUArray | None = None) -> GPUArray:
    """The remainder of ``arg / mod`` elementwise, with the sign of ``arg`` (C's fmod)."""
    result = _output("fmod", arg, out)
    if not isinstance(mod, GPUArray) or mod.shape != arg.shape or mod.dtype != arg.dtype:
        raise ShapeError(f"cumath.fmod: mod must be a {arg.dtype} GPUArray of shape {arg.shape}")
    ct = c_name(arg.dtype)
    function = "fmod" if arg.dtype == np.float64 else "fmodf"
    _kernel(f"wb_cumath_fmod_{arg.dtype}", f"{ct} *z, const {ct} *x, const {ct} *m",
            f"z[i] = {function}(x[i], m[i])")(result, arg, mod)
    return result


__all__ = [*UNARY, "fmod"]
