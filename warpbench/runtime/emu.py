"""The "emu" device: registry kernels compiled with g++ and run by the CUDA-on-CPU emulator.

It reports the limits of an H100 (sm_90) so launch checks behave as on the GPU; its
timings measure the emulator, not a GPU.
"""
from __future__ import annotations

import numpy as np

from warpbench.kernels.arch import arch_properties, with_name
from warpbench.kernels.compile import KERNEL_DIR
from warpbench.kernels.spec import KernelSpec, Launch
from warpbench.runtime.base import Device
from warpbench.runtime.kernel import LaunchableKernel


class EmuKernel(LaunchableKernel):
    """A registry kernel running on the emulator."""

    def __init__(self, device, spec, config, function):
        super().__init__(device, spec, config)
        self.function = function
        self.static_shared = function.static_shared_bytes
        self.max_threads_per_block = function.max_threads_per_block

    def _launch(self, args, lau: Launch) -> None:
        self.function(*args, grid=lau.grid, block=lau.block, shared=lau.shared,
                      thread_order=self.device.thread_order, block_order=self.device.block_order)


class EmuDevice(Device):
    """The emulator; ``thread_order``/``block_order`` pick the schedule of every launch."""

    kind = "emu"

    def __init__(self, thread_order: str = "forward", block_order: str = "forward"):
        from warpbench import emu
        self._emu = emu
        self.thread_order, self.block_order = thread_order, block_order
        self.properties = with_name(arch_properties("sm_90"), "CUDA emulator on the CPU (sm_90 limits)")
        self._modules: dict = {}

    def to_device(self, array):
        return self._emu.to_device(np.ascontiguousarray(array))

    def empty(self, shape, dtype, fill=None):
        return self._emu.empty(shape, dtype, fill=fill)

    def _compile_kernel(self, spec: KernelSpec, config: dict) -> EmuKernel:
        defines = spec.defines(config)
        key = (spec.source, tuple(sorted(defines.items())))
        if key not in self._modules:
            path = KERNEL_DIR / spec.source
            self._modules[key] = self._emu.compile_module(
                path.read_text(), filename=str(path), defines=defines, include_dirs=[str(KERNEL_DIR)])
        return EmuKernel(self, spec, config, self._modules[key].get_function(spec.entry))
