"""Timing device work: warm-up, optional L2 flush, repeated samples, median and spread.

On cuda every sample is a pair of CUDA events around the launches; on the host devices
it is the wall clock. Short kernels are timed in batches of back-to-back launches so a
sample is well above the ~0.5 µs event resolution; the result is per launch.
"""
from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from warpbench.trace import bench_range

MIN_SAMPLE_SECONDS = 1e-3


@dataclass(frozen=True)
class Measurement:
    """Per-call seconds of every sample, with the median and the interquartile spread."""

    samples: tuple[float, ...]
    calls_per_sample: int

    @property
    def median(self) -> float:
        """Median seconds per call."""
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        """Fastest sample, seconds per call."""
        return min(self.samples)

    @property
    def spread(self) -> float:
        """Interquartile range relative to the median (0.02 means ±1 %)."""
        if len(self.samples) < 4:
            return (max(self.samples) - min(self.samples)) / self.median if self.median else 0.0
        q1, _, q3 = statistics.quantiles(self.samples, n=4)
        return (q3 - q1) / self.median if self.median else 0.0


def measure(run: Callable[[], None], device, *, ranges: Sequence[str] = ("case",), warmup: int = 3, repeat: int = 15,
            max_seconds: float = 2.0, flush: Callable[[], None] | None = None,
            target_spread: float | None = None, min_samples: int = 5) -> Measurement:
    """Time ``run`` on ``device``: up to ``warmup`` untimed calls, then up to ``repeat`` samples.

    Warm-up stops early after the call that passes a quarter of ``max_seconds``, sampling
    once ``max_seconds`` of samples are collected (slow host cases); at least three samples
    are always taken. With ``target_spread`` sampling also stops once ``min_samples`` samples
    have a relative interquartile spread at or below it (nvbench's noise-based stopping).
    ``flush`` runs untimed before every sample (an L2 flush, an output reset). It all runs
    inside the NVTX ranges ``bench/<ranges>``.
    """
    with bench_range(ranges):
        warm_until = time.perf_counter() + max_seconds / 4
        for _ in range(warmup):
            run()
            if time.perf_counter() > warm_until:
                break
        device.synchronize()
        calls = 1
        if flush is None:
            with device.timer() as t:
                run()
            first = t.seconds
            calls = max(1, math.ceil(MIN_SAMPLE_SECONDS / max(first, 1e-9))) if first < MIN_SAMPLE_SECONDS else 1
        samples: list[float] = []
        spent = 0.0
        while len(samples) < repeat and (len(samples) < 3 or spent < max_seconds):
            if flush is not None:
                flush()
            with device.timer() as t:
                for _ in range(calls):
                    run()
            seconds = t.seconds
            spent += seconds
            samples.append(seconds / calls)
            if (target_spread is not None and len(samples) >= min_samples
                    and Measurement(tuple(samples), calls).spread <= target_spread):
                break
    return Measurement(tuple(samples), calls)
