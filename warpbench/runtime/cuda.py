"""The "cuda" device: PyCUDA on the primary context, modules loaded from our cubins.

PyCUDA is imported only when this device is requested. Without PyCUDA, a driver or a
GPU, :func:`probe` returns the reason and the device is unavailable; nothing else breaks.
"""
from __future__ import annotations

import atexit
import functools
from typing import Callable

import numpy as np

from warpbench.config import debug
from warpbench.errors import DeviceUnavailable
from warpbench.kernels.source import nvcc_module
from warpbench.kernels.spec import KernelSpec, Launch
from warpbench.runtime.base import Device, Timer
from warpbench.runtime.kernel import LaunchableKernel
from warpbench.runtime.properties import ARCHS, DEFAULT_ARCH, DeviceProperties


@functools.lru_cache(maxsize=None)
def probe():
    """``(driver_module, None)`` when CUDA works here, else ``(None, reason)``."""
    try:
        import pycuda.driver as drv
    except ImportError as exc:
        reason = str(exc)
        if "pycuda" in reason and "No module" in reason:
            return None, "PyCUDA is not installed (pip install 'warpbench[cuda]')"
        return None, f"PyCUDA cannot load the CUDA driver ({reason})"
    try:
        drv.init()
        if drv.Device.count() == 0:
            return None, "the CUDA driver reports no GPU"
    except drv.Error as exc:
        return None, f"CUDA driver error: {exc}"
    return drv, None


class CudaTimer(Timer):
    """CUDA events around the ``with`` block; ``seconds`` waits for the end event."""

    def __init__(self, drv):
        self._drv = drv

    def __enter__(self):
        self._start, self._stop = self._drv.Event(), self._drv.Event()
        self._start.record()
        return self

    def __exit__(self, *exc):
        self._stop.record()

    @property
    def seconds(self) -> float:
        self._stop.synchronize()
        return self._stop.time_since(self._start) * 1e-3


def _properties(drv, dev) -> DeviceProperties:
    attr = drv.device_attribute
    major, minor = dev.compute_capability()
    arch = f"sm_{major}{minor}"
    base = ARCHS.get(arch, ARCHS[DEFAULT_ARCH])
    get = dev.get_attribute
    return DeviceProperties(
        name=f"{dev.name()} ({arch})", arch=arch,
        sm_count=get(attr.MULTIPROCESSOR_COUNT),
        warp_size=get(attr.WARP_SIZE),
        max_threads_per_block=get(attr.MAX_THREADS_PER_BLOCK),
        max_block_dim=(get(attr.MAX_BLOCK_DIM_X), get(attr.MAX_BLOCK_DIM_Y), get(attr.MAX_BLOCK_DIM_Z)),
        max_grid_dim=(get(attr.MAX_GRID_DIM_X), get(attr.MAX_GRID_DIM_Y), get(attr.MAX_GRID_DIM_Z)),
        max_threads_per_sm=get(attr.MAX_THREADS_PER_MULTIPROCESSOR),
        max_blocks_per_sm=base.max_blocks_per_sm,
        registers_per_sm=get(attr.MAX_REGISTERS_PER_MULTIPROCESSOR),
        shared_per_block=get(attr.MAX_SHARED_MEMORY_PER_BLOCK),
        shared_per_block_optin=get(attr.MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
        shared_per_sm=get(attr.MAX_SHARED_MEMORY_PER_MULTIPROCESSOR),
        shared_reserved_per_block=base.shared_reserved_per_block,
        l2_bytes=get(attr.L2_CACHE_SIZE),
        memory_bandwidth_gbs=base.memory_bandwidth_gbs,
        fp32_gflops=base.fp32_gflops,
        clock_ghz=base.clock_ghz,
    )


class CudaKernel(LaunchableKernel):
    """A function from a module loaded out of our cubin, launched with prepared calls."""

    def __init__(self, device, spec, config, function, resources):
        super().__init__(device, spec, config)
        self.function, self.resources = function, resources
        self.static_shared = resources.shared_static if resources else 0
        self.max_threads_per_block = function.get_attribute(device.drv.function_attribute.MAX_THREADS_PER_BLOCK)
        self._prepared_types: tuple | None = None
        self._dynamic_shared_opt_in = 0

    def _launch(self, args, lau: Launch) -> None:
        drv = self.device.drv
        if lau.shared > max(self.device.properties.shared_per_block, self._dynamic_shared_opt_in):
            self.function.set_attribute(drv.function_attribute.MAX_DYNAMIC_SHARED_SIZE_BYTES, lau.shared)
            self._dynamic_shared_opt_in = lau.shared
        types = tuple(np.uintp if hasattr(a, "gpudata") else a.dtype for a in args)
        if types != self._prepared_types:
            self.function.prepare(list(types))
            self._prepared_types = types
        # Pointers go in as integers: views carry an int, whole arrays a DeviceAllocation.
        raw = [int(a.gpudata) if hasattr(a, "gpudata") else a for a in args]
        debug(2, f"launch {self.name} grid={lau.grid} block={lau.block} shared={lau.shared}")
        self.function.prepared_async_call(lau.grid, lau.block, None, *raw, shared_size=lau.shared)


class CudaDevice(Device):
    """One GPU through PyCUDA (primary context of device 0)."""

    kind = "cuda"
    graph_placement = "cuda"

    def __init__(self, ordinal: int = 0):
        drv, reason = probe()
        if drv is None:
            raise DeviceUnavailable(f"cuda unavailable: {reason}")
        import pycuda.gpuarray as gpuarray
        self.drv, self.gpuarray = drv, gpuarray
        self.gpu = drv.Device(ordinal)
        self.context = self.gpu.retain_primary_context()
        self.context.push()
        atexit.register(self._release)
        self.properties = _properties(drv, self.gpu)
        self._modules: dict = {}
        self._l2_scratch = None

    def _release(self) -> None:
        """Pop the primary context at exit and drop PyCUDA's per-context caches, as
        ``pycuda.autoprimaryctx`` does, so nothing is freed against a popped context."""
        from pycuda.tools import clear_context_caches
        try:
            self.context.pop()
        except self.drv.Error:
            return
        clear_context_caches()

    @property
    def driver_version(self) -> str:
        """The driver's CUDA version, e.g. ``"13.0"``."""
        v = self.drv.get_driver_version()
        return f"{v // 1000}.{(v % 1000) // 10}"

    def describe(self) -> list[str]:
        """The GPU with the driver's CUDA version, then its SMs, shared memory and L2."""
        p = self.properties
        return [f"{p.name}, driver CUDA {self.driver_version}",
                f"{p.sm_count} SMs, {p.max_threads_per_sm} threads/SM, shared {p.shared_per_block // 1024} KiB/block "
                f"({p.shared_per_block_optin // 1024} opt-in), L2 {p.l2_bytes // 2**20} MiB"]

    def to_device(self, array):
        return self.gpuarray.to_gpu(np.asarray(array, order="C"))  # ascontiguousarray makes 0-d arrays 1-d

    def empty(self, shape, dtype, fill=None):
        out = self.gpuarray.empty(shape, dtype)
        if fill is not None:
            out.fill(np.dtype(dtype).type(fill))
        return out

    def synchronize(self) -> None:
        self.drv.Context.synchronize()

    def timer(self) -> Timer:
        return CudaTimer(self.drv)

    def _copy(self, dst, src) -> None:
        """cuMemcpyDtoD, the same-run bandwidth reference (:meth:`copy_step`)."""
        self.drv.memcpy_dtod_async(dst.gpudata, src.gpudata, src.nbytes)

    def l2_flusher(self) -> Callable[[], None] | None:
        """Overwrite a buffer twice the size of the L2, allocated once (None when the driver
        reports no L2)."""
        if not self.properties.l2_bytes:
            return None
        if self._l2_scratch is None:
            self._l2_scratch = self.empty((2 * self.properties.l2_bytes // 4,), np.int32)
        scratch = self._l2_scratch
        return lambda: scratch.fill(np.int32(0))

    def _compile_kernel(self, spec: KernelSpec, config: dict) -> CudaKernel:
        compiled = nvcc_module(spec, spec.defines(config), self.properties.arch)
        if compiled.key not in self._modules:
            self._modules[compiled.key] = self.drv.module_from_buffer(compiled.cubin)
        function = self._modules[compiled.key].get_function(spec.entry)
        return CudaKernel(self, spec, config, function, compiled.resources.get(spec.entry))
