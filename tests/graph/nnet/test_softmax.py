"""softmax, log_softmax and categorical_crossentropy (integer and one-hot targets): values,
gradients by finite differences on cpu and emu, cpu/emu agreement, target errors."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph import (categorical_crossentropy, constant, function, log_softmax, matrix, softmax, tensor,
                             vector, verify_grad)
from tests.graph.nnet.agree import assert_cpu_emu_agree

SHAPES = [(1, 1), (5, 7), (3, 33), (2, 3, 4)]


def _logits(shape, dtype="float64", seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _numpy_log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_values_are_stable_for_huge_logits(device):
    x = matrix("x", "float32")
    data = np.array([[1000.0, 1000.0, -1000.0], [-50.0, 0.0, 50.0]], np.float32)
    got = function([x], [softmax(x), log_softmax(x)], device=device)(data)
    np.testing.assert_allclose(got[0], np.exp(_numpy_log_softmax(data.astype(np.float64))), atol=1e-7)
    np.testing.assert_allclose(got[1][0, :2], np.log(0.5), rtol=1e-6)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("op", [softmax, log_softmax], ids=["softmax", "log_softmax"])
def test_verify_grad_on_cpu_and_emu(emu, shape, op):
    verify_grad(op, [_logits(shape)])
    verify_grad(op, [_logits(shape)], device="emu")


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("op", [softmax, log_softmax], ids=["softmax", "log_softmax"])
def test_forward_and_gradients_agree_between_cpu_and_emu(emu, shape, op):
    assert_cpu_emu_agree(op, [_logits(shape, "float32")])


def test_integer_and_one_hot_targets_give_the_same_loss():
    p, labels = matrix("p", "float64"), vector("y", "int64")
    data = np.exp(_numpy_log_softmax(_logits((4, 5))))
    y = np.array([0, 4, 2, 2])
    integer = function([p, labels], categorical_crossentropy(p, labels), device="cpu")(data, y)
    one_hot = function([p], categorical_crossentropy(p, constant(np.eye(5)[y])), device="cpu")(data)
    np.testing.assert_allclose(integer, -np.log(data[np.arange(4), y]), rtol=1e-12)
    np.testing.assert_allclose(one_hot, integer, rtol=1e-12)


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_verify_grad_of_crossentropy_with_integer_targets(emu, device):
    y = constant(np.array([1, 0, 6, 3, 2]))
    verify_grad(lambda x: categorical_crossentropy(softmax(x), y), [_logits((5, 7))], device=device)


def test_verify_grad_of_crossentropy_with_soft_targets():
    targets = np.random.default_rng(1).dirichlet(np.ones(7), 5)
    verify_grad(lambda x, t: categorical_crossentropy(softmax(x), t), [_logits((5, 7)), targets])


def test_crossentropy_agrees_between_cpu_and_emu(emu):
    assert_cpu_emu_agree(lambda x, y: categorical_crossentropy(softmax(x), y),
                         [_logits((9, 37), "float32"), np.arange(9) * 4])
    assert_cpu_emu_agree(lambda x, y: categorical_crossentropy(softmax(x), y),
                         [_logits((3, 5), "float32"), np.array([4, 0, 1], np.int32)])


def test_non_integer_targets_are_refused():
    with pytest.raises(DTypeError, match="CrossentropyCategorical1Hot: targets must be a vector of integer class "
                                         "indices .* got y of type TensorType\\(float32, vector\\)"):
        categorical_crossentropy(matrix("p"), vector("y", "float32"))
    with pytest.raises(ShapeError, match="coding_dist must be 2-D"):
        categorical_crossentropy(tensor("p", ndim=3), vector("y", "int64"))


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_out_of_range_targets_name_the_node(emu, device):
    p, y = matrix("p"), vector("y", "int64")
    f = function([p, y], categorical_crossentropy(p, y), device=device)
    with pytest.raises(ShapeError) as info:
        f(np.full((2, 3), 1 / 3, np.float32), np.array([0, 3]))
    message = str(info.value)
    assert message.startswith("CrossentropyCategorical1Hot(")
    assert "labels[1] = 3 out of range [0, 3)" in message and "\n" not in message
