"""Rooflines: a device's bandwidth and compute ceilings, and where each kernel sits under them.

A kernel's arithmetic intensity is its cost model's FLOPs over bytes moved. Ceilings are
measured in the same run where possible: bandwidth is the same-run copy of the largest
case's bytes (each row's copy reference), and on the cpu compute is a NumPy float32
matmul (BLAS) unless a case ran faster. Where nothing was measured (a GPU without timings,
or the emulator, which stands for the sm_90 it emulates) the data-sheet peaks of the
device properties are used; every label says which it is.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from warpbench.bench.report.results import implementation, label
from warpbench.bench.suite import BenchRow
from warpbench.runtime.properties import arch_properties

#: Square float32 matmul size of the cpu's compute reference: large enough for BLAS to reach
#: its peak on every thread, small enough to time in well under a second.
CPU_PEAK_SIZE = 1024


@dataclass(frozen=True)
class Roof:
    """A device's ceilings and where each came from ("measured: …" or "stated: …")."""

    device: str
    bandwidth_gbs: float
    bandwidth_source: str
    peak_gflops: float
    peak_source: str

    @property
    def ridge(self) -> float:
        """The intensity (FLOP/byte) where the bandwidth and compute ceilings meet."""
        return self.peak_gflops / self.bandwidth_gbs

    def attainable(self, intensity: float) -> float:
        """GFLOP/s the ceilings allow at ``intensity``."""
        return min(self.peak_gflops, self.bandwidth_gbs * intensity)


@dataclass(frozen=True)
class Point:
    """One kernel on a roofline; ``measured`` False means placed on the roof at its intensity."""

    label: str
    implementation: str
    intensity: float
    gflops: float
    measured: bool = True


def cpu_peak_gflops(device) -> float:
    """Same-run float32 matmul GFLOP/s of NumPy's BLAS on the cpu device."""
    from warpbench.bench.timing import measure
    rng = np.random.default_rng(0)
    a, b = (rng.random((CPU_PEAK_SIZE, CPU_PEAK_SIZE), dtype=np.float32) for _ in range(2))
    out = np.empty_like(a)
    m = measure(lambda: np.matmul(a, b, out=out), device, ranges=("compute_reference",), repeat=5, max_seconds=0.5)
    return 2.0 * CPU_PEAK_SIZE**3 / m.median / 1e9


def gbs(value: float) -> str:
    """A rate with three significant digits and no exponent (3350, 42.9, 0.245)."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def device_roof(device, rows: list[BenchRow]) -> Roof:
    """The roof of ``device`` from its timed ``rows``.

    Bandwidth is the same-run copy of the most bytes any row moved (the one least helped by
    caches), else the properties' stated peak. Compute on the cpu is the faster of a NumPy
    float32 matmul and the fastest row; on a GPU the stated FP32 peak.
    """
    props = device.properties
    stated = arch_properties(props.arch) if device.emulated else props
    timed = [r for r in rows if r.device == device.kind and not r.error and r.copy_gbs > 0]
    if timed:
        largest = max(timed, key=lambda r: r.gbs * r.seconds)
        moved = largest.gbs * largest.seconds * 1e9
        size = f"{moved / 1e9:.3g} GB" if moved >= 1e9 else f"{moved / 1e6:.3g} MB"
        bandwidth, bandwidth_source = largest.copy_gbs, f"measured: same-run copy of {size}"
    else:
        bandwidth, bandwidth_source = stated.memory_bandwidth_gbs, f"stated: {stated.name} data sheet"
    if device.kind != "cpu":
        return Roof(device.name, bandwidth, bandwidth_source, stated.fp32_gflops,
                    f"stated: {stated.name} FP32 data sheet")
    matmul = cpu_peak_gflops(device)
    fastest = max(timed, key=lambda r: r.gflops, default=None)
    if fastest is not None and fastest.gflops > matmul:
        return Roof(device.name, bandwidth, bandwidth_source, fastest.gflops,
                    f"measured: fastest case, {label(fastest)}")
    return Roof(device.name, bandwidth, bandwidth_source, matmul, f"measured: NumPy float32 matmul {CPU_PEAK_SIZE}³")


def measured_points(rows: list[BenchRow], kind: str) -> list[Point]:
    """Each timed row of device ``kind`` that does arithmetic, at its intensity and GFLOP/s."""
    return [Point(label(r), implementation(r), r.gflops / r.gbs, r.gflops)
            for r in rows if r.device == kind and not r.error and r.gflops > 0 and r.gbs > 0]


def stated_points(specs, roof: Roof, kind: str) -> list[Point]:
    """Each variant at its first bench problem's intensity, placed on ``roof`` (not measured):
    where the ceilings say it can be, for a device with no timings."""
    points = []
    for spec in specs:
        workload = spec.workload
        problem = {**workload.bench_problems[0], "dtype": spec.dtypes[0]}
        flops, moved = workload.flops(problem), workload.bytes_moved(problem)
        if flops > 0 and moved > 0:
            intensity = flops / moved
            points.append(Point(f"{spec.name} {workload.describe(problem)}", kind, intensity,
                                roof.attainable(intensity), measured=False))
    return points


def data_only(rows: list[BenchRow], kind: str) -> list[str]:
    """Timed rows of ``kind`` that do no arithmetic (copies, transposes): not on a roofline."""
    return [label(r) for r in rows if r.device == kind and not r.error and r.gflops == 0]
