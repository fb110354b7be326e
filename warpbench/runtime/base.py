"""What every device shares: launch-limit checks, argument checks and the problem-level API.

A device ("cuda", "emu") compiles a KernelSpec into a :class:`Kernel`. A kernel can be
launched raw, PyCUDA style (``k(out, x, n, grid=..., block=...)``), for a problem from
the registry (``k.launch_problem(problem, buffers)``), or on user arrays with outputs
allocated and returned (``k.run(x, a=2.0, b=1.0)``).
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from warpbench.errors import ConfigError, DTypeError, ShapeError, WarpbenchError
from warpbench.kernels.arch import DeviceProperties
from warpbench.kernels.spec import KernelSpec, Launch, PipelineSpec, Problem, launch


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


class Device:
    """Base of the devices; subclasses provide memory, compilation and timing."""

    kind = "device"
    properties: DeviceProperties

    @property
    def name(self) -> str:
        """Human-readable name, e.g. ``"cuda: NVIDIA H100 80GB HBM3 (sm_90)"``."""
        return f"{self.kind}: {self.properties.name}"

    def to_device(self, array: np.ndarray):
        """Copy a host array to this device."""
        raise NotImplementedError

    def empty(self, shape, dtype, fill=None):
        """Allocate an array; ``fill`` poisons it with a value (e.g. ``np.nan``)."""
        raise NotImplementedError

    def to_host(self, array) -> np.ndarray:
        """Copy a device array back into a NumPy array."""
        return array.get()

    def zeros(self, shape, dtype):
        """Allocate a zero-filled array."""
        return self.empty(shape, dtype, fill=0)

    def synchronize(self) -> None:
        """Wait for all queued work."""

    def timer(self) -> Timer:
        """A timer for device work (CUDA events on cuda)."""
        return Timer()

    def compile(self, spec: KernelSpec | PipelineSpec | str, config: dict | None = None) -> "Kernel":
        """Compile a registry variant (a spec or its name) with a configuration.

        Unknown tunables and broken restrictions raise before anything is compiled.
        """
        from warpbench.kernels import get
        spec = get(spec) if isinstance(spec, str) else spec
        config = spec.resolve(config)
        if isinstance(spec, PipelineSpec):
            return PipelineKernel(self, spec, config)
        return self._compile_kernel(spec, config)

    def _compile_kernel(self, spec: KernelSpec, config: dict) -> "Kernel":
        raise NotImplementedError

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


def _generic_dtype(spec: KernelSpec, args) -> np.dtype | None:
    """The dtype bound to ``T`` by the first T* buffer among ``args``."""
    for param, arg in zip(spec.workload.params, args):
        if param.is_pointer and param.is_generic:
            return np.dtype(arg.dtype)
    return None


class Kernel:
    """A compiled variant on a device; subclasses implement ``_launch``."""

    static_shared = 0

    def __init__(self, device: Device, spec: KernelSpec, config: dict):
        self.device, self.spec, self.config = device, spec, config

    @property
    def name(self) -> str:
        """The variant's registry name."""
        return self.spec.name

    @property
    def workload(self):
        """The operation this kernel computes."""
        return self.spec.workload

    def check_problem(self, problem: Problem) -> None:
        """DTypeError when this variant does not compute the problem's dtype."""
        if "dtype" in problem:
            self.spec.check_dtype(problem["dtype"])

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.config.items())
        return f"<Kernel {self.name}{{{shown}}} on {self.device.kind}>"

    def __call__(self, *args, grid, block, shared: int = 0) -> None:
        """Launch with explicit geometry; arguments are checked against the spec's parameters."""
        lau = launch(grid, block, shared)
        self.device.check_launch(self.name, lau, self.static_shared)
        self._launch(self.pack_args(args), lau)

    def pack_args(self, args) -> list:
        """Check ``args`` against the parameters and convert scalars to their C types."""
        params = self.spec.workload.params
        if len(args) != len(params):
            sig = ", ".join(f"{p.ctype} {p.name}" for p in params)
            raise WarpbenchError(f"{self.name}: expects {len(params)} arguments ({sig}), got {len(args)}")
        generic = _generic_dtype(self.spec, args)
        if generic is not None:
            self.spec.check_dtype(generic)
        problem = {"dtype": generic} if generic is not None else {}
        packed = []
        for index, (param, arg) in enumerate(zip(params, args)):
            want = param.dtype(problem)
            if param.is_pointer:
                got = np.dtype(getattr(arg, "dtype", object))
                if got != want:
                    raise DTypeError(f"{self.name}: argument {index} ({param.ctype} {param.name}) "
                                     f"needs a {want.name} device array, got {got.name}")
                packed.append(arg)
            else:
                packed.append(self._scalar(index, param, arg, want))
        return packed

    def _scalar(self, index, param, value, want: np.dtype):
        if isinstance(value, np.ndarray) or hasattr(value, "get"):
            raise DTypeError(f"{self.name}: argument {index} ({param.ctype} {param.name}) is a scalar, got an array")
        converted = want.type(value)
        if np.issubdtype(want, np.integer) and converted != value:
            raise DTypeError(f"{self.name}: argument {index} ({param.name}={value}) does not fit {want.name}")
        return converted

    def _launch(self, args: list, lau: Launch) -> None:
        raise NotImplementedError

    def geometry(self, problem: Problem) -> Launch:
        """Grid, block and shared bytes for ``problem`` under this kernel's config."""
        return self.spec.geometry(problem, self.config, self.device.properties)

    def launch_problem(self, problem: Problem, buffers: dict[str, Any]) -> Launch:
        """Launch for a registry problem; ``buffers`` maps buffer names to device arrays."""
        args = [buffers[p.name] if p.is_pointer else problem[p.name] for p in self.spec.workload.params]
        lau = self.geometry(problem)
        self(*args, grid=lau.grid, block=lau.block, shared=lau.shared)
        return lau

    def run(self, *arrays, **scalars):
        """Run on host arrays: inputs in parameter order, scalars by name; returns the output(s).

        Shape and dtype problems raise ShapeError/DTypeError naming the kernel and values.
        """
        workload = self.workload
        names = workload.input_names
        if len(arrays) != len(names):
            raise ShapeError(f"{self.name}: expects {len(names)} input array(s) ({', '.join(names)}), "
                             f"got {len(arrays)}")
        given = dict(zip(names, arrays))
        problem = workload.problem_of(given, scalars)
        self.check_problem(problem)
        buffers = {n: self.device.to_device(np.ascontiguousarray(a)) for n, a in given.items()}
        for name, (shape, dtype) in workload.output_shapes(problem).items():
            if name not in buffers:
                buffers[name] = self.device.empty(shape, dtype)
        self.launch_problem(problem, buffers)
        results = [self.device.to_host(buffers[n]) for n in workload.output_names]
        return results[0] if len(results) == 1 else tuple(results)


class PipelineKernel(Kernel):
    """A PipelineSpec on a device: compiles its stages on demand and keeps scratch buffers."""

    def __init__(self, device: Device, spec: PipelineSpec, config: dict):
        super().__init__(device, spec, config)
        self._stages: dict = {}
        self._scratch: dict = {}

    def kernel(self, name: str, config: dict | None = None) -> Kernel:
        """The stage ``name`` compiled on this device (cached per config)."""
        key = (name, tuple(sorted((config or {}).items())))
        if key not in self._stages:
            self._stages[key] = self.device.compile(name, config)
        return self._stages[key]

    def scratch(self, key: str, shape, dtype):
        """A temporary device buffer reused while ``key``, shape and dtype stay the same."""
        full = (key, tuple(shape), str(dtype))
        if full not in self._scratch:
            self._scratch[full] = self.device.empty(shape, dtype)
        return self._scratch[full]

    def __call__(self, *args, grid, block, shared: int = 0) -> None:
        raise WarpbenchError(f"{self.name}: a pipeline has no single launch geometry; "
                             f"use launch_problem(problem, buffers) or run(...)")

    def launch_problem(self, problem: Problem, buffers: dict) -> None:
        """Run every stage for ``problem``."""
        self.spec.run(self, problem, buffers, self.config)
