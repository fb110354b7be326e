"""The row ops scan shifts, reverses and pads its sequences with."""
import numpy as np
import pytest

from warpbench.errors import ShapeError
from warpbench.graph import function, tensor, verify_grad
from warpbench.graph.rows import PutRows, Rows, RowsLike, reverse


def test_values_match_numpy_indexing():
    x = tensor("x", "float64", 2)
    value = np.arange(12.0).reshape(4, 3)
    f = function([x], [Rows(1)(x), Rows(-1, squeeze=True)(x), reverse(x), PutRows(1)(x, Rows(2)(x))])
    tail, last, flipped, put = f(value)
    np.testing.assert_array_equal(tail, value[1:])
    np.testing.assert_array_equal(last, value[-1])
    np.testing.assert_array_equal(flipped, value[::-1])
    np.testing.assert_array_equal(put, np.vstack([np.zeros(3), value[2:], np.zeros((1, 3))]))


@pytest.mark.parametrize("build", [lambda x: Rows(1, 3)(x), lambda x: Rows(2, squeeze=True)(x), reverse,
                                   lambda x: PutRows(1)(x, Rows(2)(x) * 3.0),
                                   lambda x: RowsLike(1)(x * x, Rows(2)(x))])
def test_gradients_pass_finite_differences(build):
    verify_grad(build, [np.random.default_rng(0).uniform(-1, 1, (4, 3))])


def test_rows_out_of_range_are_refused():
    x = tensor("x", "float64", 2)
    with pytest.raises(ShapeError, match=r"Rows\{start=5, stop=None, squeeze=True\}: row 5 is outside 4 row"):
        function([x], Rows(5, squeeze=True)(x))(np.zeros((4, 3)))
    with pytest.raises(ShapeError, match=r"cannot put a 3x3 gradient at row 2 of a 4x3 array"):
        function([x], PutRows(2)(x, Rows(1)(x)))(np.zeros((4, 3)))
