"""Networks built with the public API only: LeNet (conv, pool, flatten, dense, softmax,
cross-entropy) and a ResNet basic block with batch norm, differentiated on cpu and emu."""
import numpy as np
import pytest

from warpbench import graph as T
from tests.graph.nnet.agree import assert_cpu_emu_agree

LABELS = np.array([3, 0, 9])


def lenet(x, w1, b1, w2, b2, w3, b3):
    """conv 3x3 -> max pool -> relu -> conv 3x3 -> average pool -> tanh -> flatten -> dense -> softmax
    -> mean cross-entropy against LABELS."""
    h = T.relu(T.pool_2d(T.conv2d(x, w1) + b1, (2, 2)))
    h = T.tanh(T.pool_2d(T.conv2d(h, w2, border_mode="half") + b2, (2, 2), mode="average_exc_pad"))
    probabilities = T.softmax(T.dot(T.flatten(h, 2), w3) + b3)
    loss = T.categorical_crossentropy(probabilities, T.constant(LABELS))
    return loss.sum() * (1.0 / len(LABELS))


def _lenet_values(dtype="float64"):
    rng = np.random.default_rng(0)
    shapes = [(3, 1, 10, 10), (4, 1, 3, 3), (1, 4, 1, 1), (5, 4, 3, 3), (1, 5, 1, 1), (20, 10), (10,)]
    return [(rng.standard_normal(s) * (0.5 if i else 1.0)).astype(dtype) for i, s in enumerate(shapes)]


def test_lenet_gradients_match_finite_differences():
    T.verify_grad(lenet, _lenet_values())


def test_lenet_forward_and_gradients_agree_between_cpu_and_emu(emu):
    assert_cpu_emu_agree(lenet, _lenet_values("float32"))


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_lenet_trains(emu, device):
    x, *values = _lenet_values("float32")
    params = [T.shared(v, f"p{i}") for i, v in enumerate(values)]
    images = T.tensor4("images")
    loss = lenet(images, *params)
    updates = [(p, p - 0.5 * g) for p, g in zip(params, T.grad(loss, params))]
    step = T.function([images], loss, device=device, updates=updates)
    losses = [float(step(x)) for _ in range(5)]
    assert losses[-1] < 0.5 * losses[0], losses


def basic_block(x, w1, gamma1, beta1, w2, gamma2, beta2):
    """conv 3x3 -> batch norm -> relu -> conv 3x3 -> batch norm -> + x -> relu."""
    h = T.conv2d(x, w1, border_mode="half")
    h = T.relu(T.batch_normalization_train(h, gamma1, beta1, "spatial")[0])
    h = T.conv2d(h, w2, border_mode="half")
    return T.relu(T.batch_normalization_train(h, gamma2, beta2, "spatial")[0] + x)


def _block_values(dtype="float64"):
    rng = np.random.default_rng(1)
    c = 3
    return [rng.standard_normal(s).astype(dtype) for s in
            [(2, c, 5, 4), (c, c, 3, 3), (1, c, 1, 1), (1, c, 1, 1), (c, c, 3, 3), (1, c, 1, 1), (1, c, 1, 1)]]


def test_resnet_block_gradients_match_finite_differences():
    T.verify_grad(basic_block, _block_values())


def test_resnet_block_forward_and_gradients_agree_between_cpu_and_emu(emu):
    assert_cpu_emu_agree(basic_block, _block_values("float32"), rtol=1e-3, atol=1e-4)


def test_resnet_block_keeps_running_statistics_on_emu(emu):
    x, w1, gamma, beta, *_ = _block_values("float32")
    running_mean = T.shared(np.zeros((1, 3, 1, 1), np.float32), "running_mean")
    running_var = T.shared(np.ones((1, 3, 1, 1), np.float32), "running_var")
    images = T.tensor4("images")
    h = T.conv2d(images, w1, border_mode="half")
    out, _, _, new_mean, new_var = T.batch_normalization_train(h, gamma, beta, "spatial", 1e-4, 0.5,
                                                               running_mean, running_var)
    train = T.function([images], out, device="emu", updates=[(running_mean, new_mean), (running_var, new_var)])
    train(x)
    conv = T.function([images], h, device="cpu")(x)
    np.testing.assert_allclose(running_mean.get_value(), 0.5 * conv.mean(axis=(0, 2, 3), keepdims=True), rtol=1e-4,
                               atol=1e-6)
    inference = T.function([images], T.batch_normalization_test(h, gamma, beta, running_mean, running_var, "spatial"),
                           device="emu")
    assert inference(x).shape == x.shape
