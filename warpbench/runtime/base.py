"""What every device shares: memory, compilation of registry variants, timing, launch limits.

A device ("cuda", "emu", "cpu") turns a registry variant into a kernel
(:mod:`warpbench.runtime.kernel`); this module holds the device side of that contract.
"""
from __future__ import annotations

import time
from abc import ABC, abstractmethod

import numpy as np

from warpbench.errors import ConfigError
from warpbench.kernels.arch import DeviceProperties
from warpbench.kernels.spec import KernelSpec, Launch, PipelineSpec


class Timer:
    """Wall-clock timer used as a context manager; devices with events override it."""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self._stop = time.perf_counter()

    @property
    def seconds(self) -> float:
        """Elapsed time of the ``with`` block."""
        return self._stop - self._start


class Device(ABC):
    """Base of the devices; subclasses provide memory, compilation and timing."""

    kind = "device"
    properties: DeviceProperties

    @property
    def name(self) -> str:
        """Human-readable name, e.g. ``"cuda: NVIDIA H100 80GB HBM3 (sm_90)"``."""
        return f"{self.kind}: {self.properties.name}"

    @abstractmethod
    def to_device(self, array: np.ndarray):
        """Copy a host array to this device."""

    @abstractmethod
    def empty(self, shape, dtype, fill=None):
        """Allocate an array; ``fill`` poisons it with a value (e.g. ``np.nan``)."""

    def to_host(self, array) -> np.ndarray:
        """Copy a device array back into a NumPy array."""
        return array.get()

    def zeros(self, shape, dtype):
        """Allocate a zero-filled array."""
        return self.empty(shape, dtype, fill=0)

    def synchronize(self) -> None:  # noqa: B027 (host devices run synchronously: nothing to wait for)
        """Wait for all queued work."""

    def timer(self) -> Timer:
        """A timer for device work (CUDA events on cuda)."""
        return Timer()

    def compile(self, spec: KernelSpec | PipelineSpec | str, config: dict | None = None):
        """Compile a registry variant (a spec or its name) with a configuration into a kernel.

        Unknown tunables and broken restrictions raise before anything is compiled.
        """
        from warpbench.kernels import get
        from warpbench.runtime.kernel import PipelineKernel
        spec = get(spec) if isinstance(spec, str) else spec
        config = spec.resolve(config)
        if isinstance(spec, PipelineSpec):
            return PipelineKernel(self, spec, config)
        return self._compile_kernel(spec, config)

    @abstractmethod
    def _compile_kernel(self, spec: KernelSpec, config: dict):
        """A LaunchableKernel for one CUDA entry point."""

    def check_launch(self, kernel: str, lau: Launch, static_shared: int = 0) -> None:
        """ConfigError naming the kernel and the values when ``lau`` exceeds this device's limits."""
        p = self.properties
        where = f"{kernel}: launch on {p.name}:"
        if lau.threads_per_block > p.max_threads_per_block:
            raise ConfigError(f"{where} block {lau.block} has {lau.threads_per_block} threads, "
                              f"at most {p.max_threads_per_block} allowed")
        for axis, (size, limit) in enumerate(zip(lau.block, p.max_block_dim)):
            if size < 1 or size > limit:
                raise ConfigError(f"{where} block dimension {'xyz'[axis]}={size} outside 1..{limit}")
        for axis, (size, limit) in enumerate(zip(lau.grid, p.max_grid_dim)):
            if size < 1 or size > limit:
                raise ConfigError(f"{where} grid dimension {'xyz'[axis]}={size} outside 1..{limit}")
        total_shared = lau.shared + static_shared
        if total_shared > p.shared_per_block_optin:
            raise ConfigError(f"{where} {total_shared} bytes of shared memory per block "
                              f"({static_shared} static + {lau.shared} dynamic), at most "
                              f"{p.shared_per_block_optin} allowed")
