"""The book's networks, CPU against GPU: one group per network and phase at the book's sizes,
holding the cpu device's host code, cuda (CUDA events, skipped without a GPU) and, for the
MLP and LeNet, the same computation in NumPy (and PyTensor for the MLP), checked to agree
with the network at small sizes.

Tiny sizes run on cpu and on the CPU emulator in their own groups. Every case checks its
result (probabilities that sum to one, a finite loss), so under ``--benchmark-disable``
this is a plain test.
"""
import numpy as np
import pytest

from warpbench.bench.cases import SkipBenchmark

from warpbench.bench.network_baselines import BASELINES, baseline_step
from warpbench.bench.networks import (BOOK_BATCH, PHASES, TINY, build_network, network_names, network_step,
                                      tiny_step)

from tests.benchmarks.support import time_step

NETWORKS = network_names()
PAIRS = [(name, impl) for name, impls in BASELINES.items() for impl in impls]
SMALL = {"mlp": {"inputs": 20, "hidden": 12, "classes": 5},
         "lenet": {"image": 14, "filters": (3, 4), "kernel": 3, "hidden": 10, "classes": 5}}


def _group(name: str, phase: str, batch: int, sizes: str = "book sizes") -> str:
    return f"network {name} {phase}, batch {batch}, {sizes}"


def _check(step) -> None:
    """The step's last result makes sense: probabilities per example, or a finite loss."""
    result = step.network.forward(step.x) if step.phase == "forward" else step.network.loss(step.x, step.y)
    if step.phase == "forward":
        assert np.all(np.isfinite(result)), f"{step.name}: non-finite probabilities"
        np.testing.assert_allclose(result.sum(axis=-1), 1.0, rtol=1e-4, err_msg=step.name)
    else:
        assert np.isfinite(result) and result > 0, f"{step.name}: loss {result}"


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("name", NETWORKS)
def test_network_cpu(benchmark, name, phase):
    step = network_step(name, "cpu", phase)
    time_step(benchmark, step, _group(name, phase, step.batch))
    _check(step)


@pytest.mark.gpu
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("name", NETWORKS)
def test_network_gpu(benchmark, name, phase):
    step = network_step(name, "cuda", phase)
    time_step(benchmark, step, _group(name, phase, step.batch), rounds=20)
    _check(step)


def _agree(network, baseline, x, y, phase) -> None:
    """The baseline computes what ``network`` does from the same parameters: the baseline took
    one training step when it was made, so the network takes one before two are compared."""
    if phase == "forward":
        np.testing.assert_allclose(baseline._step(), network.forward(x), rtol=1e-4, atol=1e-6)
        return
    network.train_step(x, y)
    for _ in range(2):
        np.testing.assert_allclose(baseline._step(), network.train_step(x, y), rtol=1e-4)


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("name,impl", PAIRS)
def test_baseline(benchmark, name, impl, phase):
    network, (x, y) = build_network(name, "cpu", BOOK_BATCH[name])
    step = _available(baseline_step, network, impl, phase, x, y)
    time_step(benchmark, step, _group(name, phase, BOOK_BATCH[name]))


def _available(make, *args):
    """``make(*args)``, or a skip with the reason when its library (PyTensor) is not installed."""
    try:
        return make(*args)
    except SkipBenchmark as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("name,impl", PAIRS)
def test_baselines_compute_what_the_network_computes(name, impl, phase):
    network, (x, y) = build_network(name, "cpu", 16, seed=3, sizes=SMALL[name])
    _agree(network, _available(baseline_step, network, impl, phase, x, y), x, y, phase)


@pytest.mark.parametrize("kind", ["cpu", "emu"])
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("name", list(TINY))
def test_network_tiny(benchmark, name, phase, kind):
    step = tiny_step(name, kind, phase)
    time_step(benchmark, step, _group(name, phase, step.batch, "tiny sizes"))
    _check(step)
