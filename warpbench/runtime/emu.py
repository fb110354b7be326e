"""The "emu" device: registry and user kernels compiled with g++ and run by the CUDA-on-CPU emulator.

It reports the properties of the GPU it emulates (:data:`warpbench.runtime.properties.EMULATED`,
sm_90) so launches are validated as on that GPU; its timings measure the emulator, not a GPU.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from warpbench.config import debug
from warpbench.kernels.source import emu_module, source_file
from warpbench.kernels.spec import KernelSpec, Launch
from warpbench.runtime.base import Device, T
from warpbench.runtime.kernel import LaunchableKernel
from warpbench.runtime.properties import EMULATED


class EmuKernel(LaunchableKernel):
    """A registry or user kernel running on the emulator."""

    max_threads_source = "its __launch_bounds__"

    def __init__(self, device, spec, config, function):
        super().__init__(device, spec, config)
        self.function = function
        self.static_shared = function.static_shared_bytes
        self.max_threads_per_block = function.max_threads_per_block

    def _launch(self, args, lau: Launch) -> None:
        debug(2, f"launch {self.name} grid={lau.grid} block={lau.block} shared={lau.shared}")
        self.function(*args, grid=lau.grid, block=lau.block, shared=lau.shared,
                      thread_order=self.device.thread_order, block_order=self.device.block_order)


class EmuDevice(Device):
    """The emulator; ``thread_order``/``block_order`` pick the schedule of every launch."""

    kind = "emu"
    emulated = True
    reorders_schedules = True
    graph_placement = "emu"
    counts_memory = True

    def __init__(self, thread_order: str = "forward", block_order: str = "forward"):
        from warpbench import emu
        self._emu = emu
        self.thread_order, self.block_order = thread_order, block_order
        self.properties = EMULATED
        self._modules: dict = {}

    def to_device(self, array):
        return self._emu.to_device(np.asarray(array, order="C"))  # ascontiguousarray makes 0-d arrays 1-d

    def empty(self, shape, dtype, fill=None):
        return self._emu.empty(shape, dtype, fill=fill)

    def _copy(self, dst, src) -> None:
        dst.set(src.data)

    def copy_step(self, nbytes: int) -> Callable[[], None]:
        """The registry "copy" kernel on ``nbytes``: an emulated copy, the reference for
        emulated kernels (a host memcpy would flatter the emulator's bandwidth)."""
        n = max(int(nbytes) // 4, 1)
        kernel, problem = self.compile("copy"), {"n": n, "dtype": "float32"}
        buffers = {"in": self.to_device(np.ones(n, np.float32)), "out": self.empty((n,), np.float32)}
        return lambda: kernel.launch_problem(problem, buffers)

    def check_schedules(self, kernel, args: list, lau: Launch):
        """The emulator's DeterminismReport of one launch under forward, reverse and random
        thread and block orders with two poison patterns."""
        from warpbench.emu import check_determinism
        return check_determinism(kernel.function, *args, grid=lau.grid, block=lau.block, shared=lau.shared)

    def memory_counters(self, run: Callable[[], T]) -> tuple[T, dict[str, float]]:
        """``run`` with its launches through the instrumented build (same results, exact counts
        of requests, sectors and shared wavefronts: :mod:`warpbench.emu.instrument`)."""
        from warpbench.emu import instrument, memory_metrics
        with instrument.session() as counting:
            result = run()
        return result, memory_metrics.counters([site for launch in counting.launches for site in launch.sites])

    def _compile_kernel(self, spec: KernelSpec, config: dict) -> EmuKernel:
        defines = spec.defines(config)
        key = (source_file(spec), tuple(sorted(defines.items())))
        if key not in self._modules:
            self._modules[key] = emu_module(spec, defines)
        return EmuKernel(self, spec, config, self._modules[key].get_function(spec.entry))
