"""The training loop of ``warpbench train``: shuffled mini-batches, one ``train_step`` each,
the test accuracy after every epoch.

The shuffling comes from the seed alone, so the same network trained on two devices takes
the same steps and their losses can be compared.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np

from warpbench.networks.base import Network
from warpbench.networks.data import Split


@dataclass
class Epoch:
    """What one epoch did: its mean loss, the test accuracy after it, its speed."""

    number: int
    loss: float
    test_accuracy: float
    samples: int
    seconds: float
    losses: list = field(default_factory=list)

    @property
    def samples_per_second(self) -> float:
        """Training examples per second of this epoch (evaluation excluded)."""
        return self.samples / self.seconds if self.seconds > 0 else float("inf")


def batch_axis(split: Split) -> int:
    """The axis of the examples: 1 for time-major token matrices (T, n), else 0."""
    return 1 if split.x_train.ndim == 2 and split.x_train.dtype.kind == "i" else 0


def batches(split: Split, batch: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled index arrays of ``batch`` training examples (a short last batch is dropped,
    so every step compiles to the same shapes)."""
    n = split.x_train.shape[batch_axis(split)]
    order = rng.permutation(n)
    return [order[i:i + batch] for i in range(0, n - batch + 1, batch)]


def fit(network: Network, split: Split, epochs: int, batch: int, seed: int = 0, max_steps: int | None = None,
        track: Callable[[Iterable, int], Iterable] = lambda items, epoch: items,
        on_step: Callable[[float, int], None] = lambda loss, samples: None) -> Iterator[Epoch]:
    """Train ``network`` on ``split``; ``max_steps`` stops early (a few steps on a slow device),
    ``track(items, epoch)`` wraps each epoch's batches (a progress bar), ``on_step(loss, n)``
    sees each step's loss. Yields one :class:`Epoch` per epoch, as it ends."""
    rng, axis, steps = np.random.default_rng(seed), batch_axis(split), 0
    for number in range(1, epochs + 1):
        losses, samples, start = [], 0, time.perf_counter()
        for ids in track(batches(split, batch, rng), number):
            if max_steps is not None and steps >= max_steps:
                break
            # labels of whole sequences are (n,) while their time-major inputs are (T, n)
            labels = np.take(split.y_train, ids, min(axis, split.y_train.ndim - 1))
            loss = network.train_step(np.take(split.x_train, ids, axis), labels)
            losses.append(loss)
            samples, steps = samples + len(ids), steps + 1
            on_step(loss, len(ids))
        seconds = time.perf_counter() - start
        if not losses:
            break
        accuracy = network.accuracy(split.x_test, split.y_test)
        yield Epoch(number, float(np.mean(losses)), accuracy, samples, seconds, losses)
