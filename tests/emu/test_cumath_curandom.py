"""cumath and curandom, PyCUDA's modules, on the emulator: values against NumPy, errors in one line."""
import numpy as np
import pytest

from warpbench.emu import cumath, curandom, gpuarray
from warpbench.errors import DTypeError, ShapeError


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "tanh", "floor", "fabs", "log10", "atan"])
def test_unary_functions_match_numpy(name, dtype):
    host = np.linspace(0.1, 3.7, 37).astype(dtype)
    numpy_name = {"fabs": "abs", "atan": "arctan"}.get(name, name)
    got = getattr(cumath, name)(gpuarray.to_gpu(host)).get()
    assert got.dtype == dtype
    np.testing.assert_allclose(got, getattr(np, numpy_name)(host), rtol=2e-6 if dtype == np.float32 else 1e-14)


def test_out_and_fmod():
    a = gpuarray.to_gpu(np.array([5.5, -5.5, 7.0], np.float32))
    m = gpuarray.to_gpu(np.array([2.0, 2.0, 7.0], np.float32))
    out = gpuarray.empty(3, np.float32)
    assert cumath.fmod(a, m, out=out) is out
    np.testing.assert_array_equal(out.get(), np.fmod(a.get(), m.get()))
    assert cumath.exp(a, out=out) is out


def test_bad_arguments_are_one_line():
    with pytest.raises(DTypeError, match="cumath.exp: takes float32 or float64 arrays, got int32"):
        cumath.exp(gpuarray.to_gpu(np.arange(3, dtype=np.int32)))
    with pytest.raises(ShapeError, match="out= must be a float32 GPUArray of shape \\(3,\\)"):
        cumath.sin(gpuarray.zeros(3, np.float32), out=gpuarray.zeros(4, np.float32))
    with pytest.raises(DTypeError, match="curandom.gen_uniform: float32 or float64 only"):
        curandom.rand((2,), np.int32)


def test_random_arrays_have_their_distribution_and_repeat_with_a_seed():
    u = curandom.rand((20000,)).get()
    assert u.dtype == np.float32 and u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    first, second = curandom.XORWOWRandomNumberGenerator(3), curandom.XORWOWRandomNumberGenerator(3)
    n = first.gen_normal((20000,), np.float64).get()
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03
    np.testing.assert_array_equal(second.gen_normal((20000,), np.float64).get(), n)
    data = gpuarray.zeros(100, np.float32)
    first.fill_uniform(data)
    assert 0 < data.get().mean() < 1
