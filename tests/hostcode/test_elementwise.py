"""hostcode.elementwise against NumPy: awkward sizes, both dtypes, poisoned outputs."""
import numpy as np
import pytest
from scipy.special import expit

from warpbench.errors import DTypeError, ShapeError, UnknownNameError
from warpbench.hostcode import elementwise as ew

DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=2e-6, atol=2e-7), np.float64: dict(rtol=1e-14, atol=1e-15)}
# 4096 is the chunk of the flat passes and 32768 the parallel threshold: straddle both.
SHAPES = [(), (1,), (7,), (13, 31), (2, 3, 5), (4095,), (4096,), (4097,), (32769,),
          (3, 11, 997)]
ACTS = {"none": lambda v: v, "relu": lambda v: np.maximum(v, 0), "tanh": np.tanh,
        "sigmoid": expit}


def rand(shape, dtype, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(dtype)


def poisoned(shape, dtype):
    return np.full(shape, np.nan, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_axpb(shape, dtype):
    x = rand(shape, dtype)
    out = poisoned(shape, dtype)
    assert ew.axpb(x, 2.5, -4, out=out) is out
    np.testing.assert_allclose(out, dtype(2.5) * x + dtype(-4), **TOL[dtype])
    np.testing.assert_allclose(ew.axpb(x, 2.5, -4), out, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_activation(name, shape, dtype):
    x = rand(shape, dtype)
    out = poisoned(shape, dtype)
    assert getattr(ew, name)(x, out=out) is out
    np.testing.assert_allclose(out, ACTS[name](x.astype(np.float64)), **TOL[dtype])


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_activation_in_place_and_extremes(name):
    x = np.array([-1e4, -50.0, -0.0, 0.0, 3.0, 50.0, 1e4, np.nan], np.float32)
    expected = ACTS[name](x.astype(np.float64))
    assert getattr(ew, name)(x, out=x) is x
    np.testing.assert_allclose(x, expected, **TOL[np.float32])


def test_float32_tanh_is_accurate_at_every_magnitude():
    # float32 tanh is computed from a double exp; tiny inputs are the cancellation risk.
    mags = 2.0 ** np.arange(-40, 8, 0.25)
    x = np.concatenate([mags, -mags]).astype(np.float32)
    np.testing.assert_allclose(ew.tanh(x), np.tanh(x.astype(np.float64)), rtol=1.2e-7, atol=0)


def test_non_contiguous_input():
    x = rand((13, 31), np.float64)
    np.testing.assert_array_equal(ew.relu(x[:, ::3]), np.maximum(x[:, ::3], 0))
    np.testing.assert_array_equal(ew.axpb(x.T, 1.0, 1.0), x.T + 1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (31, 1), (1, 4097), (97, 401), (0, 5)])
@pytest.mark.parametrize("act", list(ACTS))
def test_bias_act(shape, act, dtype):
    x, bias = rand(shape, dtype), rand(shape[1], dtype, seed=1)
    out = poisoned(shape, dtype)
    assert ew.bias_act(x, bias, act, out=out) is out
    np.testing.assert_allclose(out, ACTS[act](x.astype(np.float64) + bias), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 5, 7), (3, 13, 31, 1), (4, 16, 33, 31)])
@pytest.mark.parametrize("act", list(ACTS))
def test_bias_act_nchw(shape, act, dtype):
    x, bias = rand(shape, dtype), rand(shape[1], dtype, seed=1)
    out = poisoned(shape, dtype)
    assert ew.bias_act_nchw(x, bias, act, out=out) is out
    ref = ACTS[act](x.astype(np.float64) + bias[:, None, None])
    np.testing.assert_allclose(out, ref, **TOL[dtype])


def test_errors_name_function_and_values():
    x = np.zeros((3, 4), np.float32)
    with pytest.raises(DTypeError, match=(r"^axpb: x dtype float16 not supported \(float32, "
                                          r"float64\)$")):
        ew.axpb(x.astype(np.float16), 1, 2)
    with pytest.raises(DTypeError, match="relu: x dtype int64"):
        ew.relu(np.arange(3))
    with pytest.raises(ShapeError, match=(r"bias_act: bias has length 5 but x is 3x4 \(4 "
                                          r"columns\)")):
        ew.bias_act(x, np.zeros(5, np.float32))
    with pytest.raises(DTypeError, match="bias_act: bias dtype float64 does not match"):
        ew.bias_act(x, np.zeros(4))
    with pytest.raises(UnknownNameError, match="bias_act: unknown activation 'gelu'"):
        ew.bias_act(x, np.zeros(4, np.float32), "gelu")
    with pytest.raises(ShapeError, match=("bias_act_nchw: bias has length 2 but x .* 1x3x2x2 .*3 "
                                          "channels")):
        ew.bias_act_nchw(np.zeros((1, 3, 2, 2)), np.zeros(2))
    with pytest.raises(ShapeError, match="bias_act_nchw: x must be 4-D, got shape 3x4"):
        ew.bias_act_nchw(x, np.zeros(4, np.float32))


def test_bad_out_buffers():
    x = np.zeros((3, 4), np.float32)
    with pytest.raises(ShapeError, match="tanh: out has shape 4x3, expected 3x4"):
        ew.tanh(x, out=np.empty((4, 3), np.float32))
    with pytest.raises(DTypeError, match=(r"tanh: out dtype float64 does not match the result "
                                          r"\(float32\)")):
        ew.tanh(x, out=np.empty((3, 4)))
    with pytest.raises(ShapeError, match="sigmoid: out must be a writeable C-contiguous array"):
        ew.sigmoid(x, out=np.empty((4, 3), np.float32).T)
