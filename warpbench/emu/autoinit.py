"""PyCUDA's ``pycuda.autoinit``: importing it makes a context on the one emulated device.

``device`` and ``context`` are there for code that reads them; nothing else happens, as
the emulator needs no initialisation.
"""
from __future__ import annotations

from warpbench.emu.device import Device

device = Device(0)
context = device.make_context()
