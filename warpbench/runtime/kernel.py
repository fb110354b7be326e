"""Kernels: a registry variant ready on a device.

Every kernel can run for a registry problem (``k.launch_problem(problem, buffers)``) or on
user arrays with outputs allocated and returned (``k.run(x, a=2.0, b=1.0)``). A
:class:`LaunchableKernel` (one CUDA entry point on cuda or emu) can also be launched raw,
PyCUDA style (``k(out, x, 2.0, 1.0, n, grid=..., block=...)``), with every argument and
the launch geometry checked first. A :class:`PipelineKernel` launches several stages.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.kernels.spec import KernelSpec, Launch, PipelineSpec, Problem, Variant
from warpbench.runtime.base import Device
from warpbench.runtime.launch import validate_launch
from warpbench.trace import launch_range


def _generic_dtype(spec: KernelSpec, args) -> np.dtype | None:
    """The dtype bound to ``T`` by the first T* buffer among ``args``."""
    for param, arg in zip(spec.workload.params, args):
        if param.is_pointer and param.is_generic:
            return np.dtype(arg.dtype)
    return None


class Kernel(ABC):
    """A registry variant ready on a device: run it for a problem or on user arrays."""

    def __init__(self, device: Device, spec: Variant, config: dict):
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

    def computes(self, problem: Problem) -> bool:
        """Whether this kernel computes ``problem`` (its dtype is one of the variant's)."""
        return problem.get("dtype", self.spec.dtypes[0]) in self.spec.dtypes

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.config.items())
        return f"<Kernel {self.name}{{{shown}}} on {self.device.kind}>"

    def launch_problem(self, problem: Problem, buffers: dict[str, Any]):
        """Compute ``problem``; ``buffers`` maps buffer parameter names to device arrays.

        When every output is empty (a 0x5 matrix to transpose) there is nothing to write
        and nothing is launched.
        """
        if all(math.prod(shape) == 0 for shape, _ in self.workload.output_shapes(problem).values()):
            return None
        with launch_range(self, problem):
            return self._launch_problem(problem, buffers)

    @abstractmethod
    def _launch_problem(self, problem: Problem, buffers: dict[str, Any]):
        """Compute ``problem`` whose outputs are not all empty."""

    def run(self, *arrays, **scalars):
        """Run on host arrays given in ``workload.input_names`` order (read-only inputs, then
        in/out buffers such as gemm's C), scalars by name; returns the output(s).

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


class PreparedLaunch:
    """A kernel's launch for one problem, its geometry validated and its scalars packed
    (PyCUDA's prepared call): calling it with the buffers checks their dtypes and launches."""

    __slots__ = ("kernel", "args", "lau", "pointers")

    def __init__(self, kernel: "LaunchableKernel", packed: list, lau: Launch):
        self.kernel, self.args, self.lau = kernel, packed, lau
        self.pointers = [(index, param.name, np.dtype(packed[index].dtype))
                         for index, param in enumerate(kernel.spec.workload.params) if param.is_pointer]

    def __call__(self, buffers: dict[str, Any]) -> Launch:
        args = list(self.args)
        for index, name, dtype in self.pointers:
            array = buffers[name]
            if array.dtype != dtype:  # pack_args says which argument, as for an unprepared launch
                self.kernel.pack_args([buffers[name] if i == index else arg for i, arg in enumerate(args)])
            args[index] = array
        self.kernel._launch(args, self.lau)
        return self.lau


class LaunchableKernel(Kernel):
    """One CUDA entry point: launched raw, PyCUDA style, or for a problem through its geometry."""

    static_shared = 0
    #: The entry point's own thread limit, when lower than the device's.
    max_threads_per_block: int | None = None
    #: What sets that limit, for the error message.
    max_threads_source = "its __launch_bounds__ or register use"
    #: Prepared launches kept per kernel (the most recent problems).
    PREPARED = 64

    def __init__(self, device: Device, spec: Variant, config: dict):
        super().__init__(device, spec, config)
        self._prepared: dict[tuple, PreparedLaunch] = {}

    def __call__(self, *args, grid, block, shared: int = 0) -> None:
        """Launch with explicit geometry; arguments are checked against the spec's parameters."""
        with launch_range(self, grid=grid, block=block):
            self._launch(*self._checked(args, grid, block, shared))

    def _checked(self, args, grid, block, shared) -> tuple[list, Launch]:
        lau = validate_launch(self.name, grid, block, shared, self.device.properties, static_shared=self.static_shared,
                              max_threads=self.max_threads_per_block, max_threads_source=self.max_threads_source)
        return self.pack_args(args), lau

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

    @abstractmethod
    def _launch(self, args: list, lau: Launch) -> None:
        """Launch the entry point with packed arguments."""

    def geometry(self, problem: Problem) -> Launch:
        """Grid, block and shared bytes for ``problem`` under this kernel's config."""
        return self.spec.geometry(problem, self.config, self.device.properties)

    def _launch_problem(self, problem: Problem, buffers: dict[str, Any]) -> Launch:
        """Launch for a registry problem; returns the launch geometry.

        The first launch for a problem checks everything and keeps a :class:`PreparedLaunch`;
        later launches for an equal problem (a graph node called again) only check and place
        the device arrays.
        """
        try:
            key = tuple(problem.items())
            prepared = self._prepared.get(key)
        except TypeError:  # an unhashable problem value: nothing to look up, nothing kept
            key = prepared = None
        if prepared is not None:
            return prepared(buffers)
        args = [buffers[p.name] if p.is_pointer else problem[p.name] for p in self.spec.workload.params]
        lau = self.geometry(problem)
        packed, lau = self._checked(args, lau.grid, lau.block, lau.shared)
        self._launch(packed, lau)
        if key is not None:
            if len(self._prepared) >= self.PREPARED:
                del self._prepared[next(iter(self._prepared))]
            self._prepared[key] = PreparedLaunch(self, packed, lau)
        return lau


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

    def _launch_problem(self, problem: Problem, buffers: dict) -> None:
        """Run every stage for ``problem``."""
        self.spec.run(self, problem, buffers, self.config)
