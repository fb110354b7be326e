"""The book's networks, CPU against GPU: one group per network and phase at the book's sizes,
holding the cpu device's host code, cuda (CUDA events, skipped without a GPU) and, for the
MLP, the same computation in NumPy and PyTensor (checked to agree before it is timed).

Tiny sizes run on cpu and on the CPU emulator in their own groups. Every case checks its
result (probabilities that sum to one, a finite loss), so under ``--benchmark-disable``
this is a plain test.
"""
import numpy as np
import pytest

from warpbench.bench.network_baselines import IMPLEMENTATIONS, baseline_step
from warpbench.bench.networks import (BOOK_BATCH, PHASES, TINY, build_network, network_names, network_step,
                                      tiny_step)

from tests.benchmarks.support import time_step

NETWORKS = network_names()


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
@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_mlp_baseline(benchmark, impl, phase):
    network, (x, y) = build_network("mlp", "cpu", BOOK_BATCH["mlp"])
    step = baseline_step(network, impl, phase, x, y)
    time_step(benchmark, step, _group("mlp", phase, BOOK_BATCH["mlp"]))


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_mlp_baselines_compute_what_the_network_computes(impl, phase):
    network, (x, y) = build_network("mlp", "cpu", 16, seed=3, sizes={"inputs": 20, "hidden": 12, "classes": 5})
    _agree(network, baseline_step(network, impl, phase, x, y), x, y, phase)


@pytest.mark.parametrize("kind", ["cpu", "emu"])
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("name", list(TINY))
def test_network_tiny(benchmark, name, phase, kind):
    step = tiny_step(name, kind, phase)
    time_step(benchmark, step, _group(name, phase, step.batch, "tiny sizes"))
    _check(step)
