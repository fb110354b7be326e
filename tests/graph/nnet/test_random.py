"""RandomStream draws: seeded, symbolic sizes, advanced by updates, and checked parameters."""
import numpy as np
import pytest

from warpbench.errors import WarpbenchError
from warpbench.graph import RandomStream, function, matrix


def test_draws_have_their_distribution_shape_and_dtype():
    rng = RandomStream(3)
    x = matrix("x", "float32")
    normal, uniform = rng.normal(x.shape, avg=2.0, std=0.5), rng.uniform((400, 50), low=-1, high=1)
    coin = rng.binomial((2000,), p=0.25)
    fn = function([x], [normal, uniform, coin, normal.shape], device="cpu")
    n, u, c, shape = fn(np.zeros((300, 40), np.float32))
    assert n.shape == (300, 40) and n.dtype == np.float32 and tuple(shape) == (300, 40)
    assert abs(n.mean() - 2.0) < 0.05 and abs(n.std() - 0.5) < 0.05
    assert u.min() >= -1 and u.max() < 1 and abs(u.mean()) < 0.05
    assert c.dtype == np.int64 and set(np.unique(c)) == {0, 1} and abs(c.mean() - 0.25) < 0.05


def test_the_same_seed_repeats_and_updates_advance():
    def sampler(seed):
        rng = RandomStream(seed)
        return function([], rng.normal((4,)), updates=rng.updates(), device="cpu")
    first, again = sampler(7), sampler(7)
    a, b = first(), first()
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(again(), a)


def test_bad_parameters_are_one_line():
    rng = RandomStream(0)
    with pytest.raises(WarpbenchError, match="std must be >= 0"):
        rng.normal((2,), std=-1.0)
    with pytest.raises(WarpbenchError, match="p in \\[0, 1\\]"):
        rng.binomial((2,), p=1.5)
    with pytest.raises(WarpbenchError, match="a size is made of integers"):
        rng.uniform((matrix("m"),))
