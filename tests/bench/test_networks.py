"""The networks as timed steps: one phase on one device, called once when made."""
import numpy as np
import pytest

from warpbench.bench.cases import SkipBenchmark
from warpbench.bench.networks import PHASES, TINY, check_phase, network_names, network_step, tiny_step
from warpbench.errors import UnknownNameError


def test_every_network_has_tiny_sizes():
    assert set(TINY) == set(network_names())


def test_a_train_step_moves_the_parameters_and_forward_does_not():
    forward = tiny_step("mlp", "cpu", "forward")
    before = forward.network.params["W1"].get_value().copy()
    forward.run()
    np.testing.assert_array_equal(forward.network.params["W1"].get_value(), before)
    train = tiny_step("mlp", "cpu", "train_step")
    before = train.network.params["W1"].get_value().copy()
    train.run()
    assert not np.array_equal(train.network.params["W1"].get_value(), before)
    assert train.batch == len(train.y) == 2
    language_model = tiny_step("char_lstm", "cpu", "forward")
    assert language_model.batch == language_model.x.shape[1] == 2   # (steps, batch): time-major


def test_a_step_is_timed_on_its_devices_clock():
    step = network_step("mlp", "cpu", "forward", 4, sizes=TINY["mlp"])
    assert step.measure(repeat=3).median > 0
    assert step.clock().__name__ == "cpu_clock"


def test_an_unknown_phase_names_the_phases():
    with pytest.raises(UnknownNameError, match="'backward'.*forward, train_step"):
        check_phase("backward")
    assert check_phase(PHASES[0]) == "forward"


def test_an_unavailable_device_skips(monkeypatch):
    from warpbench.runtime import cuda_status
    if cuda_status()[0]:
        pytest.skip("cuda is usable here")
    with pytest.raises(SkipBenchmark):
        tiny_step("mlp", "cuda", "forward")


def test_an_unknown_network_names_the_networks():
    with pytest.raises(UnknownNameError, match="'vgg'.*mlp"):
        network_step("vgg", "cpu", "forward")
