"""Benchmark registry kernels and host code, each next to a reference measured in the same run.

Bandwidth is read+write bytes over the median time. The reference is a copy of the same
number of bytes on the same device: ``cuMemcpyDtoD`` on cuda, ``numpy.copyto`` on the
host. On the emulator the numbers measure the emulator, not a GPU, and problems are
shrunk to the largest check problem.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from warpbench.bench.timing import Measurement, l2_flusher, measure
from warpbench.check import device_buffers
from warpbench.errors import WarpbenchError
from warpbench.kernels.spec import KernelSpec, Problem, Workload


@dataclass
class BenchRow:
    """One timed case."""

    kernel: str
    device: str
    problem: str
    config: str
    seconds: float
    spread: float
    gbs: float
    gflops: float
    copy_gbs: float
    error: str = ""

    @property
    def fraction_of_copy(self) -> float:
        """Bandwidth as a fraction of the same-run copy of the same bytes."""
        return self.gbs / self.copy_gbs if self.copy_gbs else 0.0

    def as_dict(self) -> dict:
        """Plain fields plus the derived fraction, for JSON."""
        return {**asdict(self), "fraction_of_copy": self.fraction_of_copy}


def _rates(workload: Workload, problem: Problem, m: Measurement) -> tuple[float, float]:
    t = m.median
    return workload.bytes_moved(problem) / t / 1e9, workload.flops(problem) / t / 1e9


class CopyReference:
    """Same-run copy bandwidth per byte count, measured once per size."""

    def __init__(self, device):
        self.device = device
        self._gbs: dict[int, float] = {}

    def gbs(self, nbytes: int) -> float:
        """GB/s (read + write) of copying ``nbytes`` on this device."""
        nbytes = max(int(nbytes), 4)
        if nbytes not in self._gbs:
            self._gbs[nbytes] = self._measure(nbytes)
        return self._gbs[nbytes]

    def _measure(self, nbytes: int) -> float:
        n = nbytes // 4
        device = self.device
        src = device.to_device(np.ones(n, np.float32))
        dst = device.empty((n,), np.float32)
        if device.kind == "cuda":
            def run():
                device.copy_device_to_device(dst, src)
        elif device.kind == "cpu":
            def run():
                np.copyto(dst, src)
        else:
            kernel = device.compile("copy")
            problem = {"n": n, "dtype": "float32"}

            def run():
                kernel.launch_problem(problem, {"out": dst, "in": src})
        m = measure(run, device, name="copy_reference", flush=l2_flusher(device))
        return 2.0 * n * 4 / m.median / 1e9


def bench_problems(variant, device) -> list[Problem]:
    """GPU-sized problems on cuda and cpu, the largest check problem on the emulator,
    keeping those whose dtype the variant computes."""
    workload = variant.workload
    dtypes = variant.dtypes if device.kind != "cpu" else None
    def computes(p):
        return dtypes is None or p.get("dtype", dtypes[0]) in dtypes
    if device.kind == "emu":
        fitting = [p for p in workload.check_problems if computes(p)]
        return [max(fitting, key=workload.bytes_moved)] if fitting else []
    return [p for p in workload.bench_problems if computes(p)]


def bench_kernel(device, spec: KernelSpec, problem: Problem, copy: CopyReference,
                 config: dict | None = None, seed: int = 0) -> BenchRow:
    """Time one variant on one problem (outputs are not checked here; ``check`` does that)."""
    workload = spec.workload
    label = workload.describe(problem)
    try:
        kernel = device.compile(spec, config)
        shown = ",".join(f"{k}={v}" for k, v in kernel.config.items())
        buffers = _buffers(device, workload, problem, seed)
        m = measure(lambda: kernel.launch_problem(problem, buffers), device, name=spec.name,
                    flush=l2_flusher(device))
    except WarpbenchError as exc:
        return BenchRow(spec.name, device.kind, label, "", 0.0, 0.0, 0.0, 0.0, 0.0, error=str(exc))
    gbs, gflops = _rates(workload, problem, m)
    return BenchRow(spec.name, device.kind, label, shown, m.median, m.spread, gbs, gflops,
                    copy.gbs(workload.bytes_moved(problem) / 2))


def bench_host(workload: Workload, problem: Problem, copy: CopyReference, seed: int = 0) -> list[BenchRow]:
    """Time the host-code implementation and the NumPy baseline of ``workload``."""
    device = copy.device
    label = workload.describe(problem)
    inputs = workload.make_inputs(problem, np.random.default_rng(seed))
    reference_gbs = copy.gbs(workload.bytes_moved(problem) / 2)
    rows = []
    if workload.host is not None:
        kernel = device.host_kernel(workload)
        buffers = _buffers(device, workload, problem, seed, inputs)
        m = measure(lambda: kernel.launch_problem(problem, buffers), device, name=kernel.name, warmup=1)
        gbs, gflops = _rates(workload, problem, m)
        rows.append(BenchRow(kernel.name, "cpu", label, "", m.median, m.spread, gbs, gflops, reference_gbs))
    m = measure(lambda: workload.numpy_baseline(problem, inputs), device, name=f"{workload.name}[numpy]",
                warmup=1)
    gbs, gflops = _rates(workload, problem, m)
    rows.append(BenchRow(f"{workload.name}[numpy]", "cpu", label, "", m.median, m.spread, gbs, gflops,
                         reference_gbs))
    return rows


def _buffers(device, workload: Workload, problem: Problem, seed: int, inputs: dict | None = None) -> dict:
    inputs = inputs if inputs is not None else workload.make_inputs(problem, np.random.default_rng(seed))
    return device_buffers(device, workload, problem, inputs)
