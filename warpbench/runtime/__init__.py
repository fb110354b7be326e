"""Devices behind one API: "cuda" (PyCUDA), "emu" (the CPU emulator), "cpu" (NumPy + host code)."""
from __future__ import annotations

from warpbench.errors import DeviceUnavailable, UnknownNameError

DEVICE_KINDS = ("cuda", "emu", "cpu")
_devices: dict = {}


def cuda_status() -> tuple[bool, str]:
    """(usable, reason): whether the cuda device can be created here, and why not."""
    from warpbench.runtime.cuda import probe
    drv, reason = probe()
    return drv is not None, reason or "available"


def default_device_kind() -> str:
    """"cuda" when usable, else "emu"."""
    return "cuda" if cuda_status()[0] else "emu"


def get_device(name: str | None = None):
    """The device called ``name`` (created once per process); None picks the default."""
    name = name or default_device_kind()
    if name not in DEVICE_KINDS:
        raise UnknownNameError(f"unknown device {name!r} (devices: {', '.join(DEVICE_KINDS)})")
    if name not in _devices:
        if name == "cuda":
            from warpbench.runtime.cuda import CudaDevice
            _devices[name] = CudaDevice()
        elif name == "emu":
            from warpbench.runtime.emu import EmuDevice
            _devices[name] = EmuDevice()
        else:
            from warpbench.runtime.cpu import CpuDevice
            _devices[name] = CpuDevice()
    return _devices[name]


__all__ = ["DEVICE_KINDS", "DeviceUnavailable", "cuda_status", "default_device_kind", "get_device"]
