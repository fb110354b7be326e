"""What ``warpbench train NETWORK`` trains each network on, with which sizes and settings.

A recipe pairs a network's small sizes with its data set (data.py) and the optimizer
settings that reach the book's accuracy on it; the command line may override the epochs,
the batch, the optimizer, the learning rate and the seed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from warpbench.networks import data


@dataclass(frozen=True)
class Recipe:
    """How to train one network: its data, sizes and default settings."""

    data: Callable[[], data.Split]
    #: What the data set is, in words (printed by ``warpbench train``).
    dataset: str
    sizes: dict = field(default_factory=dict)
    epochs: int = 10
    batch: int = 32
    optimizer: str = "sgd"
    lr: float = 0.05


def _corpus() -> data.Split:
    text = data.corpus_text()
    return data.char_windows(data.vocabulary(text).encode(text), steps=32)


def _corpus_sizes() -> dict:
    return {"vocabulary": data.vocabulary(data.corpus_text()), "embed": 16, "hidden": 128, "steps": 32}


RECIPES = {
    "mlp": Recipe(data.digits, "scikit-learn's 8x8 digits (1438 train / 359 test)",
                  {"inputs": 64, "hidden": 64, "classes": 10, "activation": "relu"}, epochs=20),
    "lenet": Recipe(lambda: data.digits(images=True), "scikit-learn's 8x8 digits (1438 train / 359 test)",
                    {"image": 8, "filters": (16, 32), "kernel": 3, "border": "half", "hidden": 128, "classes": 10},
                    epochs=15, lr=0.02),
    "resnet": Recipe(lambda: data.digits(images=True), "scikit-learn's 8x8 digits (1438 train / 359 test)",
                     {"image": 8, "channels": 1, "width": 8, "blocks": 2, "classes": 10}, epochs=5),
    "char_lstm": Recipe(_corpus, f"{data.CORPUS} (public domain), next-character prediction", {}, epochs=20,
                        batch=16, optimizer="adam", lr=0.01),
    "bilstm": Recipe(data.bigram_task, "SYNTHETIC: does the token pair (1, 2) occur in 12 random tokens",
                     {"vocab": 16, "embed": 8, "hidden": 16, "steps": 12, "classes": 2}, epochs=5,
                     optimizer="adam", lr=0.01),
}


def sizes(name: str) -> dict:
    """The build keywords of network ``name`` for its recipe's data."""
    return _corpus_sizes() if name == "char_lstm" else dict(RECIPES[name].sizes)
