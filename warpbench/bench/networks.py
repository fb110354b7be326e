"""The book's networks as benchmark steps: one phase of one network on one device, ready to time.

A step is a :class:`~warpbench.bench.cases.TimedStep`, so asv, pytest-benchmark and the report
time it as they time a kernel: CUDA events on cuda, the wall clock on the host devices. The
step is one call of the compiled phase on the same random batch (inputs from the host, the
result back to the host, as a training loop calls it); ``train_step`` updates the parameters
each call, which does not change its cost. The phase is called once when the step is made, so
that compiling and the first call's shape checks stay out of the timings.

``BOOK_BATCH`` is the batch the benchmarks use with the book's sizes; ``TINY`` are sizes small
enough for the CPU emulator (CI and ``warpbench run``).
"""
from __future__ import annotations

import numpy as np

from warpbench.bench.cases import SkipBenchmark, TimedStep
from warpbench.errors import DeviceUnavailable, UnknownNameError

PHASES = ("forward", "train_step")
BOOK_BATCH = {"mlp": 64, "lenet": 64, "char_lstm": 32, "bilstm": 32, "resnet": 32}
#: Per network: sizes that run a step on the emulator in well under a second.
TINY = {"mlp": {"inputs": 16, "hidden": 8, "classes": 4},
        "lenet": {"image": 16, "filters": (2, 3), "kernel": 3, "hidden": 8, "classes": 4},
        "char_lstm": {"vocab": 8, "embed": 4, "hidden": 8, "steps": 3},
        "bilstm": {"vocab": 20, "embed": 4, "hidden": 8, "steps": 3, "classes": 2},
        "resnet": {"image": 8, "width": 4, "blocks": 1, "classes": 4}}
TINY_BATCH = 2


def network_names() -> list[str]:
    """The networks, in the order the book meets them."""
    from warpbench.networks import NETWORKS
    return list(NETWORKS)


def device_of(kind: str):
    """The device ``kind``; SkipBenchmark with the reason when it is unavailable here."""
    from warpbench.runtime import get_device
    try:
        return get_device(kind)
    except DeviceUnavailable as exc:
        raise SkipBenchmark(str(exc)) from None


def check_phase(phase: str) -> str:
    """``phase`` when it is one of :data:`PHASES`, else UnknownNameError listing them."""
    if phase not in PHASES:
        raise UnknownNameError(f"unknown network phase {phase!r} (phases: {', '.join(PHASES)})")
    return phase


def build_network(name: str, kind: str, batch: int, seed: int = 0, sizes: dict | None = None):
    """Network ``name`` on device ``kind`` (SkipBenchmark when unavailable) at ``sizes``
    (default: the book's) with ``batch`` random examples, and that batch ``(x, y)``."""
    from warpbench.networks import get
    module = get(name)
    device_of(kind)
    network = module.build(batch, device=kind, seed=seed, **(sizes or {}))
    return network, network.sample_inputs(np.random.default_rng(seed))


def phase_call(network, phase: str, x, y):
    """A function of no arguments running ``phase`` of ``network`` on ``(x, y)`` once."""
    if check_phase(phase) == "forward":
        return lambda: network.forward(x)
    return lambda: network.train_step(x, y)


class NetworkStep(TimedStep):
    """One phase of a built network on one batch of ``batch`` examples (sequences for the
    LSTMs, whose inputs are time-major); ``network``, ``x``, ``y`` are kept for checks."""

    def __init__(self, network, phase: str, kind: str, x, y, batch: int):
        self.network, self.phase, self.x, self.y, self.batch = network, phase, x, y, batch
        super().__init__(f"{network.name} {phase}", device_of(kind), phase_call(network, phase, x, y))


def network_step(name: str, kind: str, phase: str, batch: int | None = None, seed: int = 0,
                 sizes: dict | None = None, profile: bool = False) -> NetworkStep:
    """``phase`` of network ``name`` on device ``kind`` at ``sizes`` (default: the book's, with
    :data:`BOOK_BATCH`), compiled and called once; ``profile``: its function records a
    per-node profile (``step.network.functions[phase].profile``, the first call excluded)."""
    batch = batch or BOOK_BATCH.get(name)
    network, (x, y) = build_network(name, kind, batch, seed, sizes)
    network.profile = profile
    step = NetworkStep(network, check_phase(phase), kind, x, y, batch)
    step.run()
    return step


def tiny_step(name: str, kind: str, phase: str, seed: int = 0) -> NetworkStep:
    """``phase`` of network ``name`` at :data:`TINY` sizes and :data:`TINY_BATCH` on ``kind``."""
    return network_step(name, kind, phase, TINY_BATCH, seed, TINY[name])
