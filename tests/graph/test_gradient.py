"""grad(): reverse mode over the graph; verify_grad(): its finite-difference check."""
import numpy as np
import pytest

from warpbench.errors import ShapeError, VerificationError, WarpbenchError
from warpbench.graph import (Apply, Op, dot, exp, fill, function, grad, scalar, sigmoid, tanh, vector,
                             verify_grad)

from .book import AXPBOp as BookAXPBOp


def test_book_expression():
    x = vector("x")
    g = grad((x * 2 + 4 * x).sum(), x)
    np.testing.assert_array_equal(function([x], g, device="cpu")(np.zeros(4, np.float32)), [6, 6, 6, 6])


def test_paths_add_up_and_several_targets():
    x, y = scalar("x", "float64"), scalar("y", "float64")
    cost = x * y + x * x + exp(y)
    gx, gy = function([x, y], grad(cost, [x, y]), device="cpu")(2.0, 0.5)
    assert gx == pytest.approx(0.5 + 4.0) and gy == pytest.approx(2.0 + np.exp(0.5))


def test_gradient_through_the_books_python_op():
    verify_grad(lambda v: BookAXPBOp(4, 5)(tanh(v)), [np.array([0.1, -0.4, 0.9])])


def test_chain_of_everything():
    rng = np.random.default_rng(0)
    verify_grad(lambda w, v: sigmoid(w @ v.T).sum() * tanh(v).sum(),
                [rng.standard_normal((3, 4)), rng.standard_normal((2, 4))])


def test_cost_must_be_a_float_scalar():
    with pytest.raises(ShapeError, match="the cost must be a float scalar, got Mul.0 of type "
                                         "TensorType\\(float32, vector\\)"):
        grad(vector("x") * 2, vector("y"))
    with pytest.raises(ShapeError, match="float scalar"):
        grad(scalar("i", "int32") * 2, scalar("i"))


def test_cost_must_depend_on_wrt():
    x, y = vector("x"), vector("y")
    with pytest.raises(WarpbenchError, match=r"the cost Sum.0 does not depend on y"):
        grad(x.sum(), y)


def test_no_gradient_through_a_shape_only_input():
    x, y = vector("x"), scalar("y")
    with pytest.raises(WarpbenchError, match="no gradient flows from Sum.0 to x"):
        grad(fill(x, y).sum(), x)
    assert grad(fill(x, y).sum(), y) is not None


def test_op_without_grad():
    class NoGrad(Op):
        __props__ = ()

        def make_node(self, x):
            return Apply(self, [x], [x.type()])

    x = vector("x")
    with pytest.raises(WarpbenchError, match=r"^grad: NoGrad has no gradient \(node NoGrad\(x\), built at "
                                             r"test_gradient.py:\d+\)$"):
        grad(NoGrad()(x).sum(), x)


def test_verify_grad_catches_a_wrong_gradient():
    class WrongGrad(BookAXPBOp):
        def grad(self, inputs, output_grads):
            return [(self.a + 1) * output_grads[0]]

    with pytest.raises(VerificationError, match=r"d cost / d input 0 \(shape 2x2\) at \(0, 0\): symbolic"):
        verify_grad(lambda v: WrongGrad(4, 5)(v), [np.ones((2, 2))])


def test_grad_of_grad():
    x = scalar("x", "float64")
    dx = grad(x * x * x, x)
    d2x = grad(dx, x)
    assert function([x], d2x, device="cpu")(2.0) == pytest.approx(12.0)


def _mlp_loss(x, W, b):
    h = tanh(dot(x, W) + b)
    return (h * h).sum()


@pytest.mark.parametrize("device", ["cpu", "emu"])
def test_second_order_gradients_of_an_mlp_loss(device, request):
    if device == "emu":
        request.getfixturevalue("emu")
    rng = np.random.default_rng(5)
    points = [rng.standard_normal((3, 4)), rng.standard_normal((4, 5)) / 2, rng.standard_normal(5)]
    # the gradients are the functions checked: their own gradients are second derivatives
    verify_grad(lambda x, W, b: grad(_mlp_loss(x, W, b), W), points, device=device)
    verify_grad(lambda x, W, b: grad(_mlp_loss(x, W, b), b) * 2, points, device=device)
    verify_grad(lambda x, W, b: grad(_mlp_loss(x, W, b), x).sum(axis=0), points, device=device)
