"""warpbench: develop, check, tune and benchmark hand-written CUDA kernels from Python.

Importing the package is cheap: PyCUDA, the emulator and the Cython host code are
loaded only when a device that needs them is requested.
"""
__version__ = "0.1.0"


def device(name: str | None = None):
    """Return the device called ``name`` ("cuda", "emu" or "cpu"; None for the default).

    The default is "cuda" when a GPU and PyCUDA are usable, else "emu".
    """
    from warpbench.runtime import get_device
    return get_device(name)


#: Public names imported on first use, so that ``import warpbench`` stays cheap.
_LAZY = {"RawKernel": "warpbench.kernels.user", "ElementwiseKernel": "warpbench.kernels.elementwise_kernel"}


def __getattr__(name: str):
    """``warpbench.RawKernel`` and ``warpbench.ElementwiseKernel`` (CuPy's user kernels), and
    ``warpbench.tune`` (the tuner: a package that is also the function ``tune``)."""
    import importlib
    if name == "tune":
        return importlib.import_module("warpbench.tune")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'warpbench' has no attribute {name!r}")


__all__ = ["ElementwiseKernel", "RawKernel", "device", "tune", "__version__"]
