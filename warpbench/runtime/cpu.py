"""The "cpu" device: NumPy arrays and the Cython host-code implementation of each workload.

It runs workloads, not CUDA sources: ``device("cpu").compile("transpose_padded")`` gives
the host code of the variant's workload, or its NumPy implementation where there is no host
code (every variant of a workload, pipelines included, compiles to it), with the same ``run``/``launch_problem`` API and ``.spec`` as a compiled
GPU kernel, which is what makes CPU and GPU rows comparable in checks and benchmarks.
``host_kernel("transpose")`` asks for the same by workload.
"""
from __future__ import annotations

import os

import numpy as np

from warpbench.errors import WarpbenchError
from warpbench.kernels.spec import Problem, Variant, Workload
from warpbench.runtime.base import Device
from warpbench.runtime.kernel import Kernel
from warpbench.runtime.properties import DEFAULT_ARCH, arch_properties, with_name


class _HostImplementation(Kernel):
    """A workload computed on the host: no tunables (``config`` is empty), every dtype the
    workload accepts, named ``"<workload>[<implementation>]"`` for all its variants."""

    implementation = "host"

    def __init__(self, device: "CpuDevice", spec: Variant):
        super().__init__(device, spec, {})

    @property
    def name(self) -> str:
        """E.g. ``"transpose[hostcode]"``."""
        return f"{self.workload.name}[{self.implementation}]"

    def check_problem(self, problem: Problem) -> None:
        """Host code validates dtypes itself (problem_of already did)."""

    def computes(self, problem: Problem) -> bool:
        """Every problem of the workload."""
        return True


class HostKernel(_HostImplementation):
    """A workload's Cython host-code implementation, called like a kernel."""

    implementation = "hostcode"

    def __init__(self, device: "CpuDevice", spec: Variant):
        if spec.workload.host is None:
            raise WarpbenchError(f"{spec.workload.name}: no host-code implementation")
        super().__init__(device, spec)

    def _launch_problem(self, problem: Problem, buffers: dict) -> None:
        inputs = {n: buffers[n] for n in self.workload.input_names}
        outputs = {n: buffers[n] for n in self.workload.output_names}
        self.workload.host(problem, inputs, outputs)


class NumpyKernel(_HostImplementation):
    """A workload's idiomatic NumPy in the problem's own dtype: the CPU speed baseline."""

    implementation = "numpy"

    def _launch_problem(self, problem: Problem, buffers: dict) -> None:
        """Replace the output entries of ``buffers`` by NumPy's results (no copy is timed)."""
        inputs = {n: buffers[n] for n in self.workload.input_names}
        buffers.update(self.workload.numpy_baseline(problem, inputs))


def _variant_of(workload: Workload | str) -> Variant:
    from warpbench.kernels import variants_of
    return variants_of(workload if isinstance(workload, str) else workload.name)[0]


class CpuDevice(Device):
    """Host memory and host code; timing is wall clock."""

    kind = "cpu"

    def __init__(self):
        self.properties = with_name(arch_properties(DEFAULT_ARCH), f"host CPU ({os.cpu_count()} cores)")

    def to_device(self, array):
        return np.array(array, copy=True, order="C")

    def to_host(self, array):
        return np.array(array, copy=True)

    def empty(self, shape, dtype, fill=None):
        out = np.empty(shape, dtype)
        if fill is not None:
            out.fill(fill)
        return out

    def _copy(self, dst, src) -> None:
        np.copyto(dst, src)

    def _compile_variant(self, spec: Variant, config: dict) -> _HostImplementation:
        """The host code of the variant's workload, or its NumPy implementation where the library
        has no host code (the backward kernels); ``config`` was checked and does not apply."""
        return HostKernel(self, spec) if spec.workload.host is not None else NumpyKernel(self, spec)

    def baselines(self, spec: Variant) -> list[Kernel]:
        """The workload's NumPy baseline."""
        return [NumpyKernel(self, spec)]

    def host_kernel(self, workload: Workload | str) -> HostKernel:
        """The host-code implementation of ``workload`` (an object or a workload name)."""
        return HostKernel(self, _variant_of(workload))

    def numpy_kernel(self, workload: Workload | str) -> NumpyKernel:
        """The NumPy baseline of ``workload`` (an object or a workload name)."""
        return NumpyKernel(self, _variant_of(workload))
