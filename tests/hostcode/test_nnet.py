"""hostcode.nnet against NumPy/SciPy: awkward sizes, both dtypes, poisoned outputs, errors."""
import numpy as np
import pytest
from scipy.special import log_softmax as log_softmax_ref
from scipy.special import softmax as softmax_ref

from warpbench.errors import DTypeError, ShapeError
from warpbench.hostcode import nnet

DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-13, atol=1e-13)}
# Column blocks of axis-0 reductions are 256 wide; 32768 elements is the parallel threshold.
MN = [(1, 1), (1, 13), (7, 1), (7, 13), (31, 255), (13, 256), (3, 257), (13, 4099)]


def rand(shape, dtype, seed=0, scale=3.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def poisoned(shape, dtype):
    return np.full(shape, np.nan, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", MN)
@pytest.mark.parametrize("name,ref", [("softmax", softmax_ref), ("log_softmax", log_softmax_ref)])
def test_softmax_family(name, ref, shape, dtype):
    x = rand(shape, dtype)
    out = poisoned(shape, dtype)
    assert getattr(nnet, name)(x, out=out) is out
    np.testing.assert_allclose(out, ref(x.astype(np.float64), axis=1), **TOL[dtype])


def test_softmax_is_stable_and_in_place():
    x = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -1000.0]], np.float32)
    expected = softmax_ref(x.astype(np.float64), axis=1)
    assert nnet.softmax(x, out=x) is x
    np.testing.assert_allclose(x, expected, **TOL[np.float32])
    np.testing.assert_allclose(nnet.log_softmax(np.array([[0.0, -1e4]]))[0], [0.0, -1e4])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", MN)
@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
def test_cross_entropy(shape, label_dtype, dtype):
    x = rand(shape, dtype)
    labels = np.random.default_rng(1).integers(0, shape[1], shape[0]).astype(label_dtype)
    out = poisoned(shape[0], dtype)
    assert nnet.cross_entropy(x, labels, out=out) is out
    ref = -log_softmax_ref(x.astype(np.float64), axis=1)[np.arange(shape[0]), labels]
    np.testing.assert_allclose(out, ref, **TOL[dtype])


def windows(x, kh, kw, sh, sw):
    n, c, h, w = x.shape
    p, q = (h - kh) // sh + 1, (w - kw) // sw + 1
    return np.stack([x[:, :, r: r + sh * (p - 1) + 1: sh, s: s + sw * (q - 1) + 1: sw]
                     for r in range(kh) for s in range(kw)])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,k,stride", [((1, 1, 1, 1), 1, None), ((2, 3, 7, 13), 2, None),
                                            ((2, 3, 7, 13), 3, 2),
                                            ((1, 2, 13, 31), (3, 2), (1, 3)),
                                            ((2, 16, 28, 28), 2, None), ((1, 1, 5, 5), 5, 1),
                                            ((4, 3, 9, 9), 3, 1)])
@pytest.mark.parametrize("name,reduce", [("maxpool2d", np.max), ("avgpool2d", np.mean)])
def test_pooling(name, reduce, shape, k, stride, dtype):
    x = rand(shape, dtype)
    kh, kw = (k, k) if isinstance(k, int) else k
    st = (kh, kw) if stride is None else stride
    sh, sw = (st, st) if isinstance(st, int) else st
    ref = reduce(windows(x.astype(np.float64), kh, kw, sh, sw), axis=0)
    out = poisoned(ref.shape, dtype)
    assert getattr(nnet, name)(x, k, stride, out=out) is out
    np.testing.assert_allclose(out, ref, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 7, 13), (3, 64, 8, 8), (1, 5, 1, 31)])
def test_global_avgpool(shape, dtype):
    x = rand(shape, dtype)
    out = poisoned(shape[:2], dtype)
    assert nnet.global_avgpool(x, out=out) is out
    np.testing.assert_allclose(out, x.astype(np.float64).mean(axis=(2, 3)), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ids_shape", [(), (1,), (7,), (3, 13), (2, 3, 5), (0,)])
@pytest.mark.parametrize("id_dtype", [np.int32, np.int64])
def test_embedding(ids_shape, id_dtype, dtype):
    table = rand((31, 13), dtype)
    ids = np.random.default_rng(2).integers(0, 31, ids_shape).astype(id_dtype)
    out = poisoned(ids_shape + (13,), dtype)
    assert nnet.embedding(table, ids, out=out) is out
    np.testing.assert_array_equal(out, table[ids])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", MN)
def test_argmax(shape, dtype):
    x = rand(shape, dtype).round()  # rounding makes ties
    out = np.full(shape[0], -7, np.int32)
    assert nnet.argmax(x, out=out) is out
    np.testing.assert_array_equal(out, x.argmax(axis=1))


def test_argmax_nan_and_ties_follow_numpy():
    x = np.array([[1, 3, 3, 2], [np.nan, 5, 1, 1], [1, np.nan, 9, np.nan], [-np.inf] * 4])
    np.testing.assert_array_equal(nnet.argmax(x), x.argmax(axis=1))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", MN + [(300, 513), (0, 4), (4, 0)])
@pytest.mark.parametrize("axis", [0, 1, -1, -2])
@pytest.mark.parametrize("name,ref", [("reduce_sum", np.sum), ("reduce_max", np.max)])
def test_reductions(name, ref, shape, axis, dtype):
    x = rand(shape, dtype)
    if name == "reduce_max" and shape[axis] == 0:
        with pytest.raises(ShapeError, match="reduce_max: .* has no max"):
            nnet.reduce_max(x, axis)
        return
    expected = ref(x.astype(np.float64), axis=axis)
    out = poisoned(expected.shape, dtype)
    assert getattr(nnet, name)(x, axis, out=out) is out
    np.testing.assert_allclose(out, expected, **TOL[dtype])


def test_reduce_max_propagates_nan():
    x = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(nnet.reduce_max(x, 0), np.max(x, axis=0))
    np.testing.assert_array_equal(nnet.reduce_max(x, 1), np.max(x, axis=1))
    np.testing.assert_array_equal(nnet.maxpool2d(x[None, None], (2, 3)), [[[[np.nan]]]])


def test_float32_sums_accumulate_in_double():
    x = np.full((1, 2**24 + 8), 1.0, np.float32)
    assert nnet.reduce_sum(x, 1)[0] == np.float32(2**24 + 8)


def test_errors():
    x = np.zeros((3, 4))
    with pytest.raises(ShapeError, match=r"^cross_entropy: labels\[1\] = 4 out of range \[0, 4\) "
                                         r"\(logits has 4 classes\)$"):
        nnet.cross_entropy(x, np.array([0, 4, 1]))
    with pytest.raises(ShapeError, match=r"cross_entropy: labels\[2\] = -1 out of range"):
        nnet.cross_entropy(x, np.array([0, 1, -1], np.int32))
    with pytest.raises(ShapeError, match="cross_entropy: labels has shape 2 but logits is 3x4"):
        nnet.cross_entropy(x, np.array([0, 1]))
    msg = r"cross_entropy: labels dtype float64 not supported \(int32, int64\)"
    with pytest.raises(DTypeError, match=msg):
        nnet.cross_entropy(x, np.zeros(3))
    with pytest.raises(ShapeError, match=r"embedding: ids\[1, 0\] = 9 out of range \[0, 5\) "
                                         r"\(table has 5 rows\)"):
        nnet.embedding(np.zeros((5, 2)), np.array([[0, 1], [9, 2]]))
    with pytest.raises(ShapeError, match=("maxpool2d: window 5x2 is larger than the input plane "
                                          "4x4")):
        nnet.maxpool2d(np.zeros((1, 1, 4, 4)), (5, 2))
    with pytest.raises(ShapeError, match="avgpool2d: x must be 4-D, got shape 3x4"):
        nnet.avgpool2d(x, 2)
    with pytest.raises(ShapeError, match="reduce_sum: axis 2 out of range for 2-D x"):
        nnet.reduce_sum(x, 2)
    with pytest.raises(ShapeError, match="reduce_max: x is 0x4, an empty axis 0 has no max"):
        nnet.reduce_max(np.zeros((0, 4)), 0)
    with pytest.raises(ShapeError, match="argmax: x is 3x0"):
        nnet.argmax(np.zeros((3, 0)))
    with pytest.raises(DTypeError, match=(r"argmax: out dtype int64 does not match the result "
                                          r"\(int32\)")):
        nnet.argmax(x, out=np.zeros(3, np.int64))
    with pytest.raises(ShapeError, match=("global_avgpool: x .* is 1x2x0x3, an empty plane has no "
                                          "mean")):
        nnet.global_avgpool(np.zeros((1, 2, 0, 3)))
    with pytest.raises(ShapeError, match="softmax: out has shape 4x3, expected 3x4"):
        nnet.softmax(x, out=np.zeros((4, 3)))
