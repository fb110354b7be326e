"""cpu and emu agree for every network: forward, loss, one training step and the parameters it
leaves. Tolerance: float32 sums of tens of terms in another order, rtol 1e-4 and atol 1e-5 (the
nnet ops' own tolerance); after a step, parameters to atol 1e-5."""
import numpy as np
import pytest

from tests.networks.small import SMALL, small

RTOL, ATOL = 1e-4, 1e-5


def _run(name, device, optimizer):
    network, x, y = small(name, device, optimizer=optimizer)
    forward, loss = network.forward(x), network.loss(x, y)
    steps = [network.train_step(x, y) for _ in range(2)]
    return forward, loss, steps, {k: v.get_value() for k, v in network.params.items()}


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("name", list(SMALL))
def test_forward_loss_and_training_steps_agree_between_cpu_and_emu(emu, name, optimizer):
    cpu_forward, cpu_loss, cpu_steps, cpu_params = _run(name, "cpu", optimizer)
    emu_forward, emu_loss, emu_steps, emu_params = _run(name, "emu", optimizer)
    assert cpu_forward.shape == emu_forward.shape and np.isfinite(cpu_forward).all()
    np.testing.assert_allclose(emu_forward, cpu_forward, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(emu_loss, cpu_loss, rtol=RTOL, atol=ATOL)
    # the second step's loss sees the first step's updates
    np.testing.assert_allclose(emu_steps, cpu_steps, rtol=RTOL, atol=ATOL)
    assert cpu_steps[1] != cpu_steps[0]
    for param, value in cpu_params.items():
        np.testing.assert_allclose(emu_params[param], value, rtol=RTOL, atol=ATOL, err_msg=param)
