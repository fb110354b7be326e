"""What a tuning run ranks configurations by: GPU time on cuda, a stated model on the emulator.

``time``: seconds per launch on a GPU, CUDA events around each launch, after warm-up, with
the L2 cache flushed and the outputs reset before every sample, sampled until the relative
interquartile spread of the samples is at most :data:`TARGET_SPREAD` or :data:`MAX_SAMPLES`
are taken; the median is ranked and every sample kept. An NVTX range ``tune/<kernel>/<config>``
wraps each configuration.

``model`` (no GPU: the emulator's speed says nothing about a GPU's): a stated model of the
emulated GPU fed by the memory traffic the instrumented emulator counted for the
configuration (:mod:`warpbench.tune.model`). It is labelled ``model`` everywhere and never
called a time.
"""
from __future__ import annotations

import numpy as np

from warpbench.bench.timing import Measurement, measure
from warpbench.check import device_buffers
from warpbench.errors import ConfigError
from warpbench.kernels.spec import Problem
from warpbench.trace import nvtx_ranges, range_token, settings_label

TIME, MODEL = "time", "model"
TARGET_SPREAD = 0.02
MAX_SAMPLES = 50


def objective_for(device, objective: str | None) -> str:
    """The objective of a run on ``device``: ``time`` on a GPU, ``model`` on an emulator;
    ConfigError for an objective the device cannot give."""
    fitting = MODEL if device.emulated else TIME
    if objective is None or objective == fitting:
        return fitting
    if objective not in (TIME, MODEL):
        raise ConfigError(f"unknown tuning objective {objective!r} (objectives: {TIME}, {MODEL})")
    if objective == TIME:
        raise ConfigError(f"objective 'time' needs a GPU: {device.kind} emulates one, so it ranks by '{MODEL}'")
    raise ConfigError(f"objective '{MODEL}' is for devices without a GPU; {device.kind} ranks by '{TIME}'")


def time_seconds(device, kernel, problem: Problem, seed: int = 0) -> Measurement:
    """Time ``kernel`` on ``problem`` (see the module docstring); inputs are random, outputs
    are put back to their first contents before every sample."""
    workload = kernel.workload
    inputs = workload.make_inputs(problem, np.random.default_rng(seed))
    buffers = device_buffers(device, workload, problem, inputs)
    first = {name: device.to_device(device.to_host(buffers[name])) for name in workload.output_names}
    flush = device.l2_flusher()

    def reset():
        if flush is not None:
            flush()
        for name, original in first.items():
            device.copy_device_to_device(buffers[name], original)

    names = ("tune", range_token(kernel.name), settings_label(kernel.config))
    with nvtx_ranges(names, "tune"):
        return measure(lambda: kernel.launch_problem(problem, buffers), device, ranges=names, repeat=MAX_SAMPLES,
                       max_seconds=5.0, flush=reset, target_spread=TARGET_SPREAD)
