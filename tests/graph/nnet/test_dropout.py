"""dropout with a seeded RandomStream: reproducible masks, inverted scaling, advancing with
updates, the gradient through the mask, argument errors."""
import numpy as np
import pytest

from warpbench.errors import WarpbenchError
from warpbench.graph import RandomStream, dropout, function, grad, matrix, verify_grad


def _masked(seed, p=0.5, device="cpu", advance=False):
    rng = RandomStream(seed)
    x = matrix("x", "float64")
    return function([x], dropout(x, p, rng), device=device, updates=rng.updates() if advance else None)


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_same_seed_same_mask_and_inverted_scaling(emu, device):
    ones = np.ones((40, 50))
    first, again, other = _masked(7, 0.25, device)(ones), _masked(7, 0.25, device)(ones), _masked(8, 0.25)(ones)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert set(np.unique(first)) == {0.0, 1 / 0.75}
    assert 0.2 < (first == 0).mean() < 0.3


def test_updates_draw_a_new_mask_every_call():
    f, fixed = _masked(3, advance=True), _masked(3)
    ones = np.ones((10, 10))
    a, b = f(ones), f(ones)
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(fixed(ones), fixed(ones))
    np.testing.assert_array_equal(a, fixed(ones))


def test_two_layers_of_one_stream_draw_different_masks():
    rng, x = RandomStream(0), matrix("x", "float64")
    first, second = function([x], [dropout(x, 0.5, rng), dropout(x, 0.5, rng)], device="cpu")(np.ones((8, 8)))
    assert not np.array_equal(first, second)


def test_gradient_is_the_scaled_mask():
    rng, x = RandomStream(5), matrix("x", "float64")
    out = dropout(x, 0.5, rng)
    value, dx = function([x], [out, grad(out.sum(), x)], device="cpu")(np.full((6, 6), 3.0))
    np.testing.assert_array_equal(dx, value / 3.0)


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_verify_grad(emu, device):
    """Without updates the mask is fixed, so finite differences see the same function."""
    rng = RandomStream(11)
    verify_grad(lambda x: dropout(x, 0.3, rng), [np.random.default_rng(0).standard_normal((7, 5))], device=device)


def test_arguments_are_checked():
    x = matrix("x")
    assert dropout(x, 0.0, RandomStream()) is x
    with pytest.raises(WarpbenchError, match=r"dropout: p must be in \[0, 1\), got 1.0"):
        dropout(x, 1.0, RandomStream())
