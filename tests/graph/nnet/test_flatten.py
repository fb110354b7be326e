"""flatten: Theano's shapes, its gradient, and the copy kernel on emu."""
import numpy as np
import pytest

from warpbench.errors import ShapeError
from warpbench.graph import flatten, function, matrix, tensor4, verify_grad
from tests.graph.nnet.agree import assert_cpu_emu_agree


@pytest.mark.parametrize("ndim,shape", [(1, (120,)), (2, (2, 60)), (3, (2, 3, 20)), (4, (2, 3, 4, 5))])
def test_keeps_the_leading_axes(ndim, shape):
    x = tensor4("x", "float64")
    data = np.arange(120.0).reshape(2, 3, 4, 5)
    got = function([x], flatten(x, ndim), device="cpu")(data)
    np.testing.assert_array_equal(got, data.reshape(shape))


def test_gradients_on_cpu_and_emu(emu):
    data = np.random.default_rng(0).standard_normal((2, 3, 2, 5))
    verify_grad(lambda x: flatten(x), [data])
    verify_grad(lambda x: flatten(x, 3), [data], device="emu")
    assert_cpu_emu_agree(lambda x: flatten(x), [data.astype(np.float32)])


def test_too_few_axes_are_refused():
    with pytest.raises(ShapeError, match=r"Flatten\{ndim=3\}: cannot flatten m of type TensorType\(float32, matrix\)"):
        flatten(matrix("m"), 3)
