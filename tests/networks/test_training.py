"""Training on the real data: the accuracy targets of the book's networks, the same steps on emu
as on cpu, the language model's loss falling and its samples, the other losses falling."""
import numpy as np
import pytest

from warpbench.networks import get, recipes, training


def _recipe_network(name, device="cpu", **options):
    recipe = recipes.RECIPES[name]
    network = get(name).build(recipe.batch, device=device, optimizer=recipe.optimizer, lr=recipe.lr,
                              **recipes.sizes(name), **options)
    return network, recipe


def test_mlp_reaches_95_percent_on_the_digits():
    network, recipe = _recipe_network("mlp")
    history = list(training.fit(network, recipe.data(), recipe.epochs, recipe.batch))
    assert len(history) == recipe.epochs
    assert history[-1].test_accuracy >= 0.95, [e.test_accuracy for e in history]
    assert history[-1].loss < 0.3 * history[0].loss


@pytest.mark.slow
def test_lenet_reaches_97_percent_on_the_digits():
    network, recipe = _recipe_network("lenet")
    history = list(training.fit(network, recipe.data(), recipe.epochs, recipe.batch))
    assert history[-1].test_accuracy >= 0.97, [e.test_accuracy for e in history]


@pytest.mark.parametrize("name", ["mlp", "lenet"])
def test_emu_takes_the_same_steps_as_cpu(emu, name):
    """Three steps of the training run on each device: the same losses (rtol 1e-4)."""
    losses = {}
    for device in ("cpu", "emu"):
        network, recipe = _recipe_network(name, device)
        history = list(training.fit(network, recipe.data(), 1, recipe.batch, max_steps=3))
        losses[device] = history[0].losses
    assert len(losses["cpu"]) == 3
    np.testing.assert_allclose(losses["emu"], losses["cpu"], rtol=1e-4, atol=1e-5)


def test_char_lstm_loss_falls_and_it_samples_text():
    network, recipe = _recipe_network("char_lstm")
    history = list(training.fit(network, recipe.data(), 3, recipe.batch))
    assert history[-1].loss < 0.8 * history[0].losses[0], [e.loss for e in history]
    text = network.sample("Alice ", 40, rng=np.random.default_rng(1))
    assert text.startswith("Alice ") and len(text) == 46 and set(text) <= set(network.vocabulary.chars)


@pytest.mark.parametrize("name, epochs", [("bilstm", 2), ("resnet", 2)])
def test_loss_falls(name, epochs):
    network, recipe = _recipe_network(name)
    history = list(training.fit(network, recipe.data(), epochs, recipe.batch))
    first = np.mean(history[0].losses[:5])
    assert history[-1].loss < 0.8 * first, (first, [e.loss for e in history])
