"""The MLP in NumPy and PyTensor: the same numbers as the network, from its parameters."""
import numpy as np
import pytest

from warpbench.bench.network_baselines import NumpyMLP, baseline_step, mlp_parameters
from warpbench.bench.networks import TINY, build_network
from warpbench.errors import ConfigError


def test_the_numpy_mlp_trains_like_the_network():
    network, (x, y) = build_network("mlp", "cpu", 8, seed=1, sizes=TINY["mlp"])
    mlp = NumpyMLP(mlp_parameters(network), network.lr, network.momentum)
    np.testing.assert_allclose(mlp.forward(x), network.forward(x), rtol=1e-5, atol=1e-7)
    for _ in range(3):
        np.testing.assert_allclose(mlp.train_step(x, y), network.train_step(x, y), rtol=1e-5)
    np.testing.assert_allclose(mlp.params["W1"], network.params["W1"].get_value(), rtol=1e-4, atol=1e-6)


def test_a_wrong_momentum_is_caught():
    network, (x, y) = build_network("mlp", "cpu", 8, seed=1, sizes=TINY["mlp"])
    mlp = NumpyMLP(mlp_parameters(network), network.lr, 0.5)
    losses = [(mlp.train_step(x, y), network.train_step(x, y)) for _ in range(3)]
    assert not np.isclose(*losses[-1], rtol=1e-5)


def test_baselines_are_for_the_mlp_only():
    network, (x, y) = build_network("lenet", "cpu", 2, sizes=TINY["lenet"])
    with pytest.raises(ConfigError, match="lenet"):
        baseline_step(network, "numpy", "forward", x, y)


def test_an_unknown_implementation_is_named():
    network, (x, y) = build_network("mlp", "cpu", 2, sizes=TINY["mlp"])
    with pytest.raises(ConfigError, match="'jax'"):
        baseline_step(network, "jax", "forward", x, y)
