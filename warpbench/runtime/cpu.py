"""The "cpu" device: NumPy arrays and the Cython host-code implementation of each workload.

It runs workloads, not CUDA sources: ``device("cpu").host_kernel("transpose")`` has the
same ``run``/``launch_problem`` API as a compiled GPU kernel, which is what makes CPU and
GPU rows comparable in checks and benchmarks.
"""
from __future__ import annotations

import os

import numpy as np

from warpbench.errors import WarpbenchError
from warpbench.kernels.arch import with_name, arch_properties
from warpbench.kernels.spec import Problem, Workload
from warpbench.runtime.base import Device
from warpbench.runtime.kernel import Kernel


class HostKernel(Kernel):
    """A workload's host-code implementation, called like a kernel."""

    def __init__(self, device: "CpuDevice", workload: Workload):
        if workload.host is None:
            raise WarpbenchError(f"{workload.name}: no host-code implementation")
        self.device, self._workload, self.config = device, workload, {}

    @property
    def name(self) -> str:
        return f"{self._workload.name}[hostcode]"

    @property
    def workload(self) -> Workload:
        return self._workload

    def check_problem(self, problem: Problem) -> None:
        """Host code validates dtypes itself (problem_of already did)."""

    def launch_problem(self, problem: Problem, buffers: dict) -> None:
        inputs = {n: buffers[n] for n in self._workload.input_names}
        outputs = {n: buffers[n] for n in self._workload.output_names}
        self._workload.host(problem, inputs, outputs)


class CpuDevice(Device):
    """Host memory and host code; timing is wall clock."""

    kind = "cpu"

    def __init__(self):
        self.properties = with_name(arch_properties("sm_90"), f"host CPU ({os.cpu_count()} cores)")

    def to_device(self, array):
        return np.array(array, copy=True, order="C")

    def to_host(self, array):
        return np.array(array, copy=True)

    def empty(self, shape, dtype, fill=None):
        out = np.empty(shape, dtype)
        if fill is not None:
            out.fill(fill)
        return out

    def _compile_kernel(self, spec, config):
        raise WarpbenchError(f"{spec.name}: the cpu device runs host code, not CUDA kernels; "
                             f"use device('emu') to run this kernel on the CPU")

    def host_kernel(self, workload: Workload | str) -> HostKernel:
        """The host-code implementation of ``workload`` (an object or a family name)."""
        if isinstance(workload, str):
            from warpbench.kernels import get_workload
            workload = get_workload(workload)
        return HostKernel(self, workload)
