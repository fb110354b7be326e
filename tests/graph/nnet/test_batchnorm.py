"""Batch normalization: the elementwise formula, training statistics and running averages
in shared variables, inference, gradients by finite differences on cpu and emu, and the
training op and its gradient on the device (no transfer around them) at awkward shapes."""
import numpy as np
import pytest

from warpbench.errors import ShapeError, WarpbenchError
from warpbench.graph import (batch_normalization, batch_normalization_test, batch_normalization_train, function,
                             grad, matrix, shared, tensor, tensor4, verify_grad)
from warpbench.graph.nnet import BatchNormTrain, BatchNormTrainGrad
from warpbench.graph.nnet.batchnorm import normalized_axes
from tests.graph.agree import assert_on_device
from tests.graph.nnet.agree import assert_cpu_emu_agree


def _batch(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 3, 5, 2)) * np.array([1.0, 3.0, 0.5]).reshape(1, 3, 1, 1) + 2.0
    return x, rng.uniform(0.5, 1.5, (1, 3, 1, 1)), rng.standard_normal((1, 3, 1, 1))


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_batch_normalization_is_the_formula(emu, device):
    x, gamma, beta = _batch()
    mean, std = np.full((1, 3, 1, 1), 0.3), np.full((1, 3, 1, 1), 2.0)
    a = tensor4("x", "float64")
    got = function([a], batch_normalization(a, gamma, beta, mean, std), device=device)(x)
    np.testing.assert_allclose(got, (x - mean) * (gamma / std) + beta, rtol=1e-12)


def test_training_normalizes_each_channel_and_updates_running_statistics():
    x, gamma, beta = _batch()
    running_mean, running_var = shared(np.zeros((1, 3, 1, 1)), "mean"), shared(np.ones((1, 3, 1, 1)), "var")
    a = tensor4("x", "float64")
    out, mean, invstd, new_mean, new_var = batch_normalization_train(
        a, np.ones((1, 3, 1, 1)), np.zeros((1, 3, 1, 1)), "spatial", 1e-5, 0.25, running_mean, running_var)
    f = function([a], [out, mean, invstd], device="cpu", updates=[(running_mean, new_mean), (running_var, new_var)])
    normalized, batch_mean, batch_invstd = f(x)
    np.testing.assert_allclose(normalized.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(normalized.var(axis=(0, 2, 3)), 1, rtol=1e-4)
    np.testing.assert_allclose(batch_mean, x.mean(axis=(0, 2, 3), keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(batch_invstd, 1 / np.sqrt(x.var(axis=(0, 2, 3), keepdims=True) + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(running_mean.get_value(), 0.25 * batch_mean, rtol=1e-12)
    unbiased = x.var(axis=(0, 2, 3), ddof=1, keepdims=True)
    np.testing.assert_allclose(running_var.get_value(), 0.75 + 0.25 * unbiased, rtol=1e-12)


def test_inference_uses_the_given_statistics():
    x, gamma, beta = _batch()
    mean, var = np.full((1, 3, 1, 1), 0.5), np.full((1, 3, 1, 1), 4.0)
    a = tensor4("x", "float64")
    got = function([a], batch_normalization_test(a, gamma, beta, mean, var, "spatial", 1e-3), device="cpu")(x)
    np.testing.assert_allclose(got, (x - mean) / np.sqrt(var + 1e-3) * gamma + beta, rtol=1e-12)


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_verify_grad_in_training(emu, device):
    x, gamma, beta = _batch()
    verify_grad(lambda a, g, b: batch_normalization_train(a, g, b, "spatial")[0], [x, gamma, beta], device=device)
    rng = np.random.default_rng(1)
    verify_grad(lambda a, g, b: batch_normalization_train(a, g, b)[0],
                [rng.standard_normal((5, 3)), rng.uniform(0.5, 1.5, (1, 3)), rng.standard_normal((1, 3))],
                device=device)


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_verify_grad_in_inference(emu, device):
    x, gamma, beta = _batch()
    variance = np.random.default_rng(2).uniform(0.5, 2.0, (1, 3, 1, 1))
    verify_grad(lambda a, g, v: batch_normalization_test(a, g, 0.1, 0.2, v, "spatial"), [x, gamma, variance],
                device=device)


def test_forward_and_gradients_agree_between_cpu_and_emu(emu):
    x, gamma, beta = (v.astype(np.float32) for v in _batch())
    assert_cpu_emu_agree(lambda a, g, b: batch_normalization_train(a, g, b, "spatial")[0], [x, gamma, beta])


def test_wrong_parameter_shapes_and_axes_are_refused():
    x, gamma, beta = _batch()
    a = tensor4("x", "float64")
    gamma, beta = shared(gamma, "gamma"), shared(beta, "beta")
    f = function([a], batch_normalization_train(a, gamma, beta, "per-activation")[0], device="cpu")
    with pytest.raises(ShapeError, match=r"^BatchNormTrain\{axes=\(0,\), epsilon=0.0001\}\(x, gamma, beta\) .*"
                                         r"gamma is 1x3x1x1, "
                                         r"the statistics over axes \(0,\) of a 4x3x5x2 input are 1x3x5x2"):
        f(x)
    with pytest.raises(ShapeError, match=r"axes \(0, 4\) out of range for a 4-D input"):
        batch_normalization_train(a, gamma, beta, (0, 4))
    with pytest.raises(ShapeError, match="gamma must have the input's 2 axes"):
        batch_normalization_train(matrix("m"), np.ones(3, np.float32), np.zeros((1, 3), np.float32))


def test_statistics_outputs_are_not_differentiated():
    a = tensor4("x", "float64")
    out, mean, _ = batch_normalization_train(a, np.ones((1, 3, 1, 1)), np.zeros((1, 3, 1, 1)), "spatial")
    with pytest.raises(WarpbenchError, match="differentiates its output only"):
        grad(mean.sum(), a)


DEVICE_CASES = [((1, 1, 1, 1), "spatial"), ((3, 5, 1, 7), "spatial"), ((2, 3, 5, 2), (0, 2)),
                ((7, 3), "per-activation"), ((1, 13), "per-activation"), ((5, 2, 3), (0, 1, 2))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, axes", DEVICE_CASES, ids=[str(c) for c in DEVICE_CASES])
def test_training_and_its_gradient_run_on_the_device(emu, shape, axes, dtype):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    stats = tuple(1 if i in normalized_axes(axes, len(shape)) else n for i, n in enumerate(shape))
    gamma, beta = rng.uniform(0.5, 1.5, stats).astype(dtype), rng.standard_normal(stats).astype(dtype)
    a, g, b = (tensor(name, dtype, len(shape)) for name in ("x", "gamma", "beta"))
    out, mean, invstd, new_mean, new_var = batch_normalization_train(
        a, g, b, axes, 1e-3, 0.5, np.zeros(stats, dtype), np.ones(stats, dtype))
    cost = (out * np.linspace(0.5, 1.5, x.size).reshape(shape).astype(dtype)).sum()
    outputs = [out, mean, invstd, new_var] + grad(cost, [a, g, b])
    f = function([a, g, b], outputs, device="emu")
    assert_on_device(f, BatchNormTrain, BatchNormTrainGrad)
    want = function([a, g, b], outputs, device="cpu")(x, gamma, beta)
    rtol, atol = (1e-4, 1e-5) if dtype == "float32" else (1e-11, 1e-12)
    for k, (got, expected) in enumerate(zip(f(x, gamma, beta), want)):
        assert got.shape == expected.shape and got.dtype == expected.dtype, k
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=f"output {k}")
