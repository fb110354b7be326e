"""The data sets: the digits split, the stored corpus, the synthetic bigram task."""
import numpy as np
import pytest

from warpbench.networks import data


def test_digits_split_is_stratified_disjoint_and_scaled():
    split = data.digits()
    assert split.x_train.shape == (1438, 64) and split.x_test.shape == (359, 64)
    assert split.x_train.dtype == np.float32 and 0.0 <= split.x_train.min() and split.x_train.max() == 1.0
    assert set(np.unique(split.y_test)) == set(range(10))
    counts = np.bincount(split.y_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # each class keeps its fifth
    train_rows = {row.tobytes() for row in split.x_train}
    assert sum(row.tobytes() in train_rows for row in split.x_test) < 5  # the digits hold a few duplicates
    assert data.digits(images=True).x_train.shape == (1438, 1, 8, 8)


def test_corpus_is_shipped_and_encodes_both_ways():
    text = data.corpus_text()
    assert len(text) > 4000 and "Public domain" in text.splitlines()[0]
    vocabulary = data.vocabulary(text)
    assert vocabulary.decode(vocabulary.encode(text)) == text
    with pytest.raises(data.DataError, match="'#' is not in the corpus vocabulary"):
        vocabulary.encode("#")


def test_char_windows_are_shifted_by_one():
    split = data.char_windows(np.arange(101), steps=10, test_fraction=0.2)
    assert split.x_train.shape == (10, 8) and split.x_test.shape == (10, 2)
    np.testing.assert_array_equal(split.y_train, split.x_train + 1)
    np.testing.assert_array_equal(split.x_train[:, 1], np.arange(10, 20))


def test_bigram_task_labels_say_whether_the_pattern_occurs():
    split = data.bigram_task(n_train=300, n_test=100, steps=8, vocab=6, seed=3)
    x, y = np.concatenate([split.x_train, split.x_test], axis=1), np.concatenate([split.y_train, split.y_test])
    first, second = data.PATTERN
    occurs = ((x[:-1] == first) & (x[1:] == second)).any(axis=0)
    np.testing.assert_array_equal(occurs, y == 1)
    assert 0.4 < y.mean() < 0.6 and x.max() < 6
