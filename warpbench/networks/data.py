"""The data sets of ``warpbench train``, all on disk with the package (nothing downloads).

- ``digits``: the 8x8 handwritten digits scikit-learn ships (1797 images, 10 classes), pixels
  scaled to [0, 1], split 80/20 train/test with a fixed seed, stratified by class;
- ``corpus``: a public-domain text stored in ``corpus/`` for the character-level language model;
- ``bigram``: a SYNTHETIC task for the sentence classifier, named as such: token sequences
  labelled by whether a fixed two-token pattern occurs in them (no shipped corpus fits).
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np

from warpbench.errors import WarpbenchError

CORPUS = "alice_chapter1.txt"
#: The pattern the synthetic bigram task looks for: token 1 right before token 2.
PATTERN = (1, 2)


class DataError(WarpbenchError):
    """A data set that cannot be loaded (a missing optional package)."""


@dataclass
class Split:
    """Training and test examples: inputs and integer labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: int


def digits(images: bool = False, test_fraction: float = 0.2, seed: int = 0) -> Split:
    """scikit-learn's 8x8 digits: x (n, 64) in [0, 1], or (n, 1, 8, 8) when ``images``."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise DataError(f"the digits data set needs scikit-learn (pip install scikit-learn): {exc}") from None
    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float32)
    y = bunch.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), bool)
    for label in np.unique(y):  # stratified: each class keeps its share in both halves
        members = rng.permutation(np.flatnonzero(y == label))
        test[members[:int(round(test_fraction * len(members)))]] = True
    if images:
        x = x.reshape(-1, 1, 8, 8)
    return Split(x[~test], y[~test], x[test], y[test], 10)


def corpus_text() -> str:
    """The stored public-domain text (Lewis Carroll, 1865)."""
    return resources.files("warpbench.networks").joinpath("corpus", CORPUS).read_text(encoding="utf-8")


@dataclass
class Vocabulary:
    """The characters of a text and their indices."""

    chars: str

    def encode(self, text: str) -> np.ndarray:
        """Indices of ``text``'s characters; DataError naming the first unknown one."""
        index = {c: i for i, c in enumerate(self.chars)}
        unknown = [c for c in text if c not in index]
        if unknown:
            raise DataError(f"character {unknown[0]!r} is not in the corpus vocabulary")
        return np.array([index[c] for c in text], np.int64)

    def decode(self, ids) -> str:
        """The text of the indices ``ids``."""
        return "".join(self.chars[int(i)] for i in ids)


def vocabulary(text: str) -> Vocabulary:
    """The sorted characters of ``text``."""
    return Vocabulary("".join(sorted(set(text))))


def char_windows(ids: np.ndarray, steps: int, test_fraction: float = 0.1) -> Split:
    """Non-overlapping windows of ``steps`` characters (x) and the same shifted by one (y),
    time-major (steps, n); the last ``test_fraction`` of the windows is the test set."""
    n = (len(ids) - 1) // steps
    x = ids[:n * steps].reshape(n, steps).T
    y = ids[1:n * steps + 1].reshape(n, steps).T
    cut = n - max(1, int(round(test_fraction * n)))
    return Split(x[:, :cut], y[:, :cut], x[:, cut:], y[:, cut:], int(ids.max()) + 1)


def bigram_task(n_train: int = 2000, n_test: int = 500, steps: int = 12, vocab: int = 16, seed: int = 0) -> Split:
    """SYNTHETIC: random token sequences (steps, n), label 1 when ``PATTERN`` occurs in them.

    Half the sequences get the pattern at a random place; the others have every occurrence
    broken, so the label is exactly "the pattern occurs" and the classes are balanced.
    """
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    x = rng.integers(0, vocab, (n, steps))
    first, second = PATTERN
    hits = (x[:, :-1] == first) & (x[:, 1:] == second)
    x[:, 1:][hits] = (second + 1 + rng.integers(0, vocab - 2, hits.sum())) % vocab  # break every occurrence
    y = (np.arange(n) % 2).astype(np.int64)
    places = rng.integers(0, steps - 1, n)
    rows = np.flatnonzero(y)
    x[rows, places[rows]], x[rows, places[rows] + 1] = first, second
    order = rng.permutation(n)
    x, y = x[order].T.astype(np.int64), y[order]
    return Split(x[:, :n_train], y[:n_train], x[:, n_train:], y[n_train:], 2)
