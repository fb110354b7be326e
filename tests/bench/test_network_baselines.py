"""The networks written out in NumPy and PyTensor: the same numbers as the network, from its parameters."""
import numpy as np
import pytest

from warpbench.bench.network_baselines import Momentum, baseline_step, numpy_model
from warpbench.bench.networks import TINY, build_network
from warpbench.errors import ConfigError

LENET = {"image": 14, "filters": (3, 4), "kernel": 3, "hidden": 10, "classes": 5}


@pytest.mark.parametrize("name,sizes", [("mlp", TINY["mlp"]), ("lenet", LENET)])
def test_the_numpy_model_trains_like_the_network(name, sizes):
    network, (x, y) = build_network(name, "cpu", 8, seed=1, sizes=sizes)
    model = numpy_model(network)
    np.testing.assert_allclose(model.forward(x), network.forward(x), rtol=1e-4, atol=1e-6)
    trainer = Momentum(model, network.lr, network.momentum)
    for _ in range(3):
        np.testing.assert_allclose(trainer.train_step(x, y), network.train_step(x, y), rtol=1e-4)
    for param in network.params:
        np.testing.assert_allclose(model.params[param], network.params[param].get_value(), rtol=1e-3, atol=1e-5,
                                   err_msg=param)


def test_a_wrong_momentum_is_caught():
    network, (x, y) = build_network("mlp", "cpu", 8, seed=1, sizes=TINY["mlp"])
    trainer = Momentum(numpy_model(network), network.lr, 0.5)
    losses = [(trainer.train_step(x, y), network.train_step(x, y)) for _ in range(3)]
    assert not np.isclose(*losses[-1], rtol=1e-5)


def test_networks_without_a_baseline_say_which_have_one():
    network, (x, y) = build_network("resnet", "cpu", 2, sizes=TINY["resnet"])
    with pytest.raises(ConfigError, match="'numpy' baseline for resnet.*mlp in numpy and pytensor"):
        baseline_step(network, "numpy", "forward", x, y)
    network, (x, y) = build_network("lenet", "cpu", 2, sizes=LENET)
    with pytest.raises(ConfigError, match="'pytensor' baseline for lenet"):
        baseline_step(network, "pytensor", "forward", x, y)
