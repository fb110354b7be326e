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


__all__ = ["device", "__version__"]
