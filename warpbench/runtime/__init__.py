"""Devices behind one API: "cuda" (PyCUDA), "emu" (the CPU emulator), "cpu" (NumPy + host code)."""
from __future__ import annotations

import importlib

from warpbench.errors import DeviceUnavailable, UnknownNameError

#: Device kind -> (module, class), imported only when the device is first requested.
_FACTORIES = {"cuda": ("warpbench.runtime.cuda", "CudaDevice"), "emu": ("warpbench.runtime.emu", "EmuDevice"),
              "cpu": ("warpbench.runtime.cpu", "CpuDevice")}
DEVICE_KINDS = tuple(_FACTORIES)
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
        module, cls = _FACTORIES[name]
        _devices[name] = getattr(importlib.import_module(module), cls)()
    return _devices[name]


__all__ = ["DEVICE_KINDS", "DeviceUnavailable", "cuda_status", "default_device_kind", "get_device"]
