"""One benchmark case (a kernel or a host implementation on one problem): the one way a case is
built, for asv, pytest-benchmark and ``warpbench bench`` (:mod:`warpbench.bench.suite`).

A case owns its inputs and outputs. ``run()`` computes once and waits for completion, so
a wall-clock timer around it is honest; ``measure()`` gives per-call device seconds (CUDA
events on cuda); ``launch()`` only enqueues the work, and ``clock()`` reads time as the
device measures it, so a harness with a pluggable timer (pytest-benchmark) times GPU work
with CUDA events; ``verify()`` compares the last result with the NumPy reference, so the
pytest-benchmark suite doubles as a correctness suite under ``--benchmark-disable``.

Unavailable devices and configurations that break a restriction raise
:class:`SkipBenchmark` with the reason, which asv reports as a skipped benchmark.
"""
from __future__ import annotations

import numpy as np

from warpbench.bench.timing import Measurement, measure
from warpbench.check import compare, device_buffers
from warpbench.errors import ConfigError, DeviceUnavailable, UnknownNameError, VerificationError
from warpbench.kernels.spec import Problem, Workload
from warpbench.runtime.kernel import Kernel
from warpbench.trace import bench_range, launch_range_names, range_token


class SkipBenchmark(NotImplementedError):
    """This case cannot run here (no GPU, missing peer library, config breaks a restriction).

    asv treats NotImplementedError raised in ``setup`` as "skipped", hence the base class.
    """


class DeviceClock:
    """Seconds since this clock was made, as the device measures them: CUDA events on cuda
    (each read records an event and waits for it), the wall clock on the host devices.

    The difference of two reads is the device time of the work enqueued between them, which
    is what a timer-based harness computes (``end - start``).
    """

    def __init__(self, device):
        self.__name__ = f"{device.kind}_clock"  # pytest-benchmark names the timer in its reports
        self._timer = device.timer()
        self._timer.__enter__()

    def __call__(self) -> float:
        """Stop the device timer again at this point of the device's work and read it."""
        self._timer.__exit__(None, None, None)
        return self._timer.seconds


class TimedStep:
    """A prepared computation on a device: ``run`` it once, ``launch`` it, or ``measure`` it.

    ``ranges`` is its NVTX range path under ``bench/`` (default: its name).
    """

    def __init__(self, name: str, device, step, ranges: tuple[str, ...] | None = None):
        self.name, self.device, self._step = name, device, step
        self.ranges = ranges or (range_token(name),)

    def launch(self) -> None:
        """Enqueue one computation without waiting for the device (host devices finish it)."""
        self._step()

    def clock(self) -> DeviceClock:
        """A clock in this device's own time, for harnesses that time ``launch`` with a timer."""
        return DeviceClock(self.device)

    def run(self) -> None:
        """Compute once and wait for the device."""
        with bench_range(self.ranges):
            self._step()
            self.device.synchronize()

    def measure(self, **options) -> Measurement:
        """Median device seconds per call with warm-up (see :func:`warpbench.bench.timing.measure`)."""
        return measure(self._step, self.device, ranges=self.ranges, flush=self.device.l2_flusher(), **options)


class Case(TimedStep):
    """A workload on one problem: inputs on the device, outputs allocated, ready to run and verify."""

    def __init__(self, name: str, device, workload: Workload, problem: Problem, step, buffers: dict,
                 inputs: dict, ranges: tuple[str, ...] | None = None):
        super().__init__(name, device, step, ranges)
        self.workload, self.problem, self.buffers, self.inputs = workload, problem, buffers, inputs

    def verify(self) -> None:
        """VerificationError naming the case when the outputs differ from the reference."""
        expected = self.workload.reference(self.problem, self.inputs)
        rtol, atol = self.workload.tolerance(self.problem)
        for name in self.workload.output_names:
            got = self.device.to_host(self.buffers[name])
            result = compare(name, expected[name], got, rtol, atol)
            if not result.ok:
                raise VerificationError(f"{self.name} at {self.workload.describe(self.problem)}: {result.message}")

    @property
    def bytes_moved(self) -> float:
        """Bytes the cost model says one call reads and writes."""
        return self.workload.bytes_moved(self.problem)

    @property
    def flops(self) -> float:
        """Floating-point operations of one call."""
        return self.workload.flops(self.problem)

    def extra_info(self) -> dict:
        """What a benchmark record needs besides the time: the case's device and problem, and
        the bytes and floating-point operations of one call from the workload's cost model."""
        return {"device": self.device.kind, "problem": self.workload.describe(self.problem),
                "bytes": float(self.bytes_moved), "flops": float(self.flops)}


def _device(kind: str):
    from warpbench.runtime import get_device
    try:
        return get_device(kind)
    except DeviceUnavailable as exc:
        raise SkipBenchmark(str(exc)) from None


def case_of(kernel: Kernel, problem: Problem, seed: int = 0) -> Case:
    """``kernel`` on ``problem``: inputs made from ``seed`` and copied to its device, outputs
    poisoned, ``run`` launching it once."""
    workload, device = kernel.workload, kernel.device
    inputs = workload.make_inputs(problem, np.random.default_rng(seed))
    buffers = device_buffers(device, workload, problem, inputs)
    return Case(kernel.name, device, workload, problem, lambda: kernel.launch_problem(problem, buffers),
                buffers, inputs, launch_range_names(kernel, problem))


def kernel_case(kernel_name: str, problem: Problem, config: dict | None = None, device: str = "cuda",
                seed: int = 0) -> Case:
    """A registry kernel on ``device`` ("cuda" or "emu") for ``problem`` under ``config``."""
    from warpbench.kernels import get
    spec = get(kernel_name)
    try:
        spec.resolve(config)
    except ConfigError as exc:
        raise SkipBenchmark(str(exc)) from None
    kernel = _device(device).compile(spec, config)
    return case_of(kernel, {"dtype": spec.dtypes[0], **problem}, seed)


def host_case(workload_name: str, problem: Problem, impl: str = "hostcode", seed: int = 0) -> Case:
    """The Cython host code (``impl="hostcode"``) or the NumPy baseline (``impl="numpy"``:
    idiomatic NumPy in the problem's dtype) for a workload."""
    cpu = _device("cpu")
    kernels = {"hostcode": cpu.host_kernel, "numpy": cpu.numpy_kernel}
    if impl not in kernels:
        raise UnknownNameError(f"unknown host implementation {impl!r} (hostcode, numpy)")
    return case_of(kernels[impl](workload_name), problem, seed)
