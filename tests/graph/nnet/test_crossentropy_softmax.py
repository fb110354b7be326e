"""The compile-time fusion of categorical_crossentropy(softmax(x), y) and its gradient: finite
for confident rows where the unfused graph overflows, equal elsewhere, on cpu and emu."""
import numpy as np
import pytest

from warpbench.graph import categorical_crossentropy, function, grad, matrix, softmax, vector, verify_grad
from warpbench.graph.nnet.crossentropy_softmax import CrossentropySoftmax1Hot, CrossentropySoftmax1HotGrad
from tests.graph.nnet.agree import assert_cpu_emu_agree


def _loss_and_grad(device):
    x, y = matrix("x"), vector("y", "int64")
    loss = categorical_crossentropy(softmax(x), y).sum()
    return function([x, y], [loss, grad(loss, x)], device=device)


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_the_graph_and_its_gradient_are_fused(emu, device):
    ops = {type(node.op) for node in _loss_and_grad(device).fgraph.toposort()}
    assert {CrossentropySoftmax1Hot, CrossentropySoftmax1HotGrad} <= ops


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_confident_wrong_rows_stay_finite(emu, device):
    logits = np.array([[0.0, 200.0, -100.0], [1.0, 2.0, 3.0]], np.float32)
    loss, dx = _loss_and_grad(device)(logits, np.array([0, 2]))
    shifted = logits[1] - 3.0
    expected_second = np.log(np.exp(shifted).sum())
    np.testing.assert_allclose(loss, 200.0 + expected_second, rtol=1e-6)
    softmax_second = np.exp(shifted) / np.exp(shifted).sum()
    np.testing.assert_allclose(dx, [[-1.0, 1.0, 0.0], softmax_second - [0, 0, 1]], rtol=1e-5, atol=1e-7)


def test_a_softmax_used_elsewhere_keeps_its_gradient():
    """Only the exact pattern is fused: a second use of the probabilities adds to their gradient."""
    labels = np.array([2, 0, 1])

    def cost(v):
        p = softmax(v)
        return categorical_crossentropy(p, labels).sum() + (p * p).sum()
    verify_grad(cost, [np.random.default_rng(0).standard_normal((3, 4))])


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_verify_grad_through_the_fused_ops(emu, device):
    labels = np.array([3, 0, 0, 6, 1])
    logits = np.random.default_rng(1).standard_normal((5, 7))
    verify_grad(lambda v: categorical_crossentropy(softmax(v), labels), [logits], device=device)


def test_fused_ops_agree_between_cpu_and_emu(emu):
    rng = np.random.default_rng(2)
    assert_cpu_emu_agree(lambda v, t: categorical_crossentropy(softmax(v), t),
                         [rng.standard_normal((33, 65)).astype(np.float32) * 5, rng.integers(0, 65, 33)])
