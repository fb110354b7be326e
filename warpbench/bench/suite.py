"""Benchmark registry kernels and host code, each next to a reference measured in the same run.

Bandwidth is read+write bytes over the median time. The reference is a copy of the same
number of bytes on the same device (:meth:`Device.copy_step`). Every row times a case
built by :func:`warpbench.bench.cases.case_of`, as asv and pytest-benchmark do. On an
emulated device the numbers measure the emulator, not a GPU, and problems are shrunk to
the largest check problem.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

from warpbench.bench.cases import Case, TimedStep, case_of
from warpbench.errors import WarpbenchError
from warpbench.kernels.spec import KernelSpec, Problem, Variant, Workload
from warpbench.runtime.kernel import Kernel


@dataclass
class BenchRow:
    """One timed case. ``problem`` and ``config`` are as shown in tables; ``params`` (the problem's
    fields), ``tunables`` (the configuration), ``workload`` and ``samples`` keep them as data
    for results.json."""

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
    workload: str = ""
    params: dict = field(default_factory=dict)
    tunables: dict = field(default_factory=dict)
    samples: int = 0

    @property
    def fraction_of_copy(self) -> float:
        """Bandwidth as a fraction of the same-run copy of the same bytes."""
        return self.gbs / self.copy_gbs if self.copy_gbs else 0.0

    def as_dict(self) -> dict:
        """Plain fields plus the derived fraction, for JSON; ``config`` is the configuration as
        data ({tunable: value}), as in ``check --json``, and ``tunables`` is not repeated."""
        fields = asdict(self)
        fields["config"] = fields.pop("tunables")
        return {**fields, "fraction_of_copy": self.fraction_of_copy}


class CopyReference:
    """Same-run copy bandwidth per byte count, measured once per size."""

    def __init__(self, device):
        self.device = device
        self._gbs: dict[int, float] = {}

    def gbs(self, nbytes: int) -> float:
        """GB/s (read + write) of copying ``nbytes`` on this device."""
        nbytes = max(int(nbytes) // 4, 1) * 4
        if nbytes not in self._gbs:
            m = TimedStep("copy_reference", self.device, self.device.copy_step(nbytes)).measure()
            self._gbs[nbytes] = 2.0 * nbytes / m.median / 1e9
        return self._gbs[nbytes]


def bench_problems(kernel: Kernel) -> list[Problem]:
    """The problems ``kernel`` is benchmarked at: its workload's bench problems, or on an
    emulated device the largest check problem; only those the kernel computes."""
    workload = kernel.workload
    if kernel.device.emulated:
        fitting = [p for p in workload.check_problems if kernel.computes(p)]
        return [max(fitting, key=workload.bytes_moved)] if fitting else []
    return [p for p in workload.bench_problems if kernel.computes(p)]


def bench_case(case: Case, copy: CopyReference, config: dict | None = None) -> BenchRow:
    """Time ``case`` under ``config`` (the kernel's tunables); outputs are not checked here
    (``check`` does that)."""
    m, config = case.measure(), dict(config or {})
    return BenchRow(case.name, case.device.kind, case.workload.describe(case.problem), _shown(config), m.median,
                    m.spread, case.bytes_moved / m.median / 1e9, case.flops / m.median / 1e9,
                    copy.gbs(case.bytes_moved / 2), workload=case.workload.name, params=dict(case.problem),
                    tunables=config, samples=len(m.samples))


def _shown(config: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in config.items())


def _failed(name: str, device, problem: str, exc: WarpbenchError, config: str = "") -> BenchRow:
    return BenchRow(name, device.kind, problem, config, 0.0, 0.0, 0.0, 0.0, 0.0, error=str(exc))


def bench_compiled(kernel: Kernel, problem: Problem, copy: CopyReference, seed: int = 0) -> BenchRow:
    """Time a compiled kernel on one problem; a failure is a row with its error."""
    try:
        return bench_case(case_of(kernel, problem, seed), copy, kernel.config)
    except WarpbenchError as exc:
        return _failed(kernel.name, kernel.device, kernel.workload.describe(problem), exc, _shown(kernel.config))


def bench_kernel(device, spec: KernelSpec, problem: Problem, copy: CopyReference,
                 config: dict | None = None, seed: int = 0) -> BenchRow:
    """Time one variant on one problem; a failure is a row with its error."""
    try:
        kernel = device.compile(spec, config)
    except WarpbenchError as exc:
        return _failed(spec.name, device, spec.workload.describe(problem), exc)
    return bench_compiled(kernel, problem, copy, seed)


def bench_host(workload: Workload, problem: Problem, copy: CopyReference, seed: int = 0) -> list[BenchRow]:
    """Time the host-code implementation (when there is one) and the NumPy baseline of
    ``workload`` on the copy reference's device (the cpu device)."""
    device = copy.device
    kernels = [device.host_kernel(workload)] if workload.host is not None else []
    kernels.append(device.numpy_kernel(workload))
    return [bench_compiled(k, problem, copy, seed) for k in kernels]


def bench_rows(device, specs: list[Variant], config: dict | None = None,
               adjust: Callable[[Workload, Problem], Problem] | None = None,
               track: Callable[[list], Iterable] = iter) -> list[BenchRow]:
    """One row per distinct kernel and problem: each variant compiled on ``device`` (the
    variants of a workload share one host-code kernel on cpu), then the device's baselines
    (the NumPy baseline on cpu). ``adjust(workload, problem)`` may change every problem (the
    CLI's checked ``--problem`` fields); it runs for every case before anything is timed, so a
    bad override stops the run before the first measurement. The timed cases, (kernel,
    problem) pairs, go through ``track`` (the CLI's progress bar)."""
    copy = CopyReference(device)
    rows, seen, planned = [], set(), []
    for spec in specs:
        try:
            kernels = [device.compile(spec, config), *device.baselines(spec)]
        except WarpbenchError as exc:
            rows.append(_failed(spec.name, device, "", exc))
            continue
        for kernel in (k for k in kernels if k.name not in seen):
            seen.add(kernel.name)
            planned += [(kernel, adjust(kernel.workload, p) if adjust else p) for p in bench_problems(kernel)]
    return rows + [bench_compiled(kernel, problem, copy) for kernel, problem in track(planned)]
