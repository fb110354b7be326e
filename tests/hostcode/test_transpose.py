"""hostcode.transpose against a.T: tile-edge sizes (tile 64), both dtypes, poisoned out."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError
from warpbench.hostcode import transpose as tr

SHAPES = [(1, 1), (1, 13), (31, 1), (7, 13), (63, 65), (64, 64), (65, 63), (1, 129),
          (129, 127), (200, 300), (0, 5), (5, 0)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
def test_transpose(shape, dtype):
    a = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    out = np.full(shape[::-1], np.nan, dtype)
    assert tr.transpose(a, out=out) is out
    np.testing.assert_array_equal(out, a.T)
    got = tr.transpose(a)
    assert got.flags.c_contiguous and got.dtype == dtype
    np.testing.assert_array_equal(got, a.T)


def test_non_contiguous_input():
    a = np.arange(30 * 40, dtype=np.float64).reshape(30, 40)
    np.testing.assert_array_equal(tr.transpose(a[::2, 1::3]), a[::2, 1::3].T)
    np.testing.assert_array_equal(tr.transpose(a.T), a)


def test_errors():
    with pytest.raises(ShapeError, match="^transpose: a must be 2-D, got shape 2x3x4$"):
        tr.transpose(np.zeros((2, 3, 4)))
    with pytest.raises(DTypeError, match=(r"transpose: a dtype int32 not supported \(float32, "
                                          r"float64\)")):
        tr.transpose(np.zeros((2, 3), np.int32))
    with pytest.raises(ShapeError, match="transpose: out has shape 2x3, expected 3x2"):
        tr.transpose(np.zeros((2, 3)), out=np.zeros((2, 3)))
    buf = np.zeros(36)
    with pytest.raises(ShapeError, match="transpose: out overlaps an input"):
        tr.transpose(buf[:18].reshape(3, 6), out=buf[6:24].reshape(6, 3))
