"""The device contract: what every device ("cuda", "emu", "cpu") provides, tinygrad's ``Compiled``.

Memory (``empty``/``zeros``/``to_device``, ``to_host``, ``copy_device_to_device``),
compilation of registry variants into kernels (:mod:`warpbench.runtime.kernel`), launch
validation against :attr:`Device.properties`, timing (``timer``, ``synchronize``, the
same-run copy reference, the L2 flusher), and the capability questions callers would
otherwise answer by asking which device they are on. Nothing outside ``runtime/``
switches on ``device.kind``; it is a label for output rows.
"""
from __future__ import annotations

import time
from abc import ABC, abstractmethod
from typing import Callable, TypeVar

import numpy as np

from warpbench.errors import ShapeError, WarpbenchError
from warpbench.kernels.spec import KernelSpec, Launch, PipelineSpec, Variant
from warpbench.runtime.launch import validate_launch
from warpbench.runtime.properties import DeviceProperties

T = TypeVar("T")


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
    #: True when timings measure an emulator, not the hardware: benchmarks shrink their
    #: problems to the largest check problem and say that the times are the emulator's.
    emulated = False
    #: True when a launch can be rerun under other thread and block orders (:meth:`check_schedules`).
    reorders_schedules = False
    #: Where graph nodes whose op has a kernel run (the graph's name for this device's
    #: memory), or None when every node runs on the host.
    graph_placement: str | None = None
    #: True when :meth:`memory_counters` counts the memory traffic of launches exactly.
    counts_memory = False

    @property
    def name(self) -> str:
        """Human-readable name, e.g. ``"cuda: NVIDIA H100 80GB HBM3 (sm_90)"``."""
        return f"{self.kind}: {self.properties.name}"

    def describe(self) -> list[str]:
        """Lines for ``warpbench info``: the device, then any details (driver, limits)."""
        return [self.properties.name]

    # -- memory ---------------------------------------------------------------------

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

    def copy_device_to_device(self, dst, src) -> None:
        """Copy ``src`` into ``dst`` on this device; ShapeError when their sizes differ."""
        if dst.nbytes != src.nbytes:
            raise ShapeError(f"{self.kind}: cannot copy {src.nbytes} bytes into an array of {dst.nbytes}")
        self._copy(dst, src)

    @abstractmethod
    def _copy(self, dst, src) -> None:
        """Copy ``src`` into ``dst`` (same size, checked)."""

    # -- compilation and launches -------------------------------------------------------

    def compile(self, spec: Variant | str, config: dict | None = None):
        """Compile a registry variant (a spec or its name) with a configuration into a kernel.

        Without ``config`` (None or empty: ``warpbench bench`` and ``check`` without
        ``--config``, graph nodes, the networks), the best configuration the tuner stored for
        this device and the nearest problem is used (:func:`warpbench.tune.best.tuned_config`),
        else the defaults; a configuration pinned by :func:`warpbench.tune.best.pinned_configs`
        comes first.
        Unknown tunables and broken restrictions raise before anything is compiled.
        """
        from warpbench.kernels import get
        spec = get(spec) if isinstance(spec, str) else spec
        if not config:
            from warpbench.tune.best import pinned_config, tuned_config
            config = pinned_config(spec) or tuned_config(self, spec)
        return self._compile_variant(spec, spec.resolve(config))

    def _compile_variant(self, spec: Variant, config: dict):
        """A kernel for a resolved variant: a pipeline launches its stages, a kernel spec
        compiles its entry point."""
        from warpbench.runtime.kernel import PipelineKernel
        if isinstance(spec, PipelineSpec):
            return PipelineKernel(self, spec, config)
        return self._compile_kernel(spec, config)

    def _compile_kernel(self, spec: KernelSpec, config: dict):
        """A LaunchableKernel for one CUDA entry point, on devices that launch them."""
        raise WarpbenchError(f"{spec.name}: the {self.kind} device does not compile CUDA entry points")

    def check_launch(self, kernel: str, lau: Launch, static_shared: int = 0) -> Launch:
        """ConfigError naming the kernel and the values when ``lau`` exceeds this device's limits
        (:func:`warpbench.runtime.launch.validate_launch`)."""
        return validate_launch(kernel, lau.grid, lau.block, lau.shared, self.properties,
                               static_shared=static_shared)

    def check_schedules(self, kernel, args: list, lau: Launch):
        """Rerun one launch of ``kernel`` under other thread and block orders and poison
        patterns; the report says whether the outputs depend on the schedule."""
        raise WarpbenchError(f"{kernel.name}: schedule checks need a device that reorders threads and blocks "
                             f"(emu); {self.kind} cannot")

    def memory_counters(self, run: Callable[[], T]) -> tuple[T, dict[str, float]]:
        """Call ``run`` with every launch in it counted; its result and the launches' summed
        memory counters under Nsight Compute's names (:mod:`warpbench.emu.memory_metrics`)."""
        raise WarpbenchError(f"the {self.kind} device cannot count the memory traffic of its launches "
                             f"(emu counts it exactly; profile a GPU with warpbench ncu)")

    def baselines(self, spec: Variant) -> list:
        """Kernels computing ``spec``'s workload without a registry variant, benchmarked next
        to it on this device (the NumPy baseline on cpu); none by default."""
        return []

    # -- timing -------------------------------------------------------------------------

    def synchronize(self) -> None:  # noqa: B027 (host devices run synchronously: nothing to wait for)
        """Wait for all queued work."""

    def timer(self) -> Timer:
        """A timer for device work (CUDA events on cuda)."""
        return Timer()

    def copy_step(self, nbytes: int) -> Callable[[], None]:
        """A prepared copy of ``nbytes`` (rounded down to float32 words, at least one) on this
        device: the same-run bandwidth reference of benchmarks."""
        n = max(int(nbytes) // 4, 1)
        src, dst = self.to_device(np.ones(n, np.float32)), self.empty((n,), np.float32)
        return lambda: self.copy_device_to_device(dst, src)

    def l2_flusher(self) -> Callable[[], None] | None:
        """A callable evicting the device's L2 cache before a timed sample; None where there
        is no cache to flush."""
        return None
