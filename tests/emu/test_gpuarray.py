"""warpbench.emu.gpuarray, .elementwise and .reduction: PyCUDA's array API computed by
generated kernels on the emulator."""
import numpy as np
import pytest

from warpbench.emu import gpuarray
from warpbench.emu.elementwise import ElementwiseKernel
from warpbench.emu.reduction import ReductionKernel
from warpbench.errors import DTypeError, ShapeError


@pytest.fixture
def host():
    return np.random.default_rng(0).standard_normal(1000).astype(np.float32)


def test_creation_and_transfers(host):
    a = gpuarray.to_gpu(host)
    assert isinstance(a, gpuarray.GPUArray) and a.shape == (1000,) and a.dtype == np.float32
    assert (a.size, a.nbytes, len(a), a.strides) == (1000, 4000, 1000, (4,))
    assert a.gpudata == a.ptr == a.__cuda_array_interface__["data"][0]
    out = np.empty_like(host)
    assert a.get(out) is out and np.array_equal(out, host)
    with pytest.raises(ShapeError, match=r"ary is float64\[1000\]"):
        a.get(np.empty(1000))
    assert np.isnan(gpuarray.empty(3).get()).all() and gpuarray.zeros((2, 3), np.int32).get().sum() == 0
    assert gpuarray.zeros_like(a).get().sum() == 0 and gpuarray.empty_like(a, np.int32).dtype == np.int32
    assert gpuarray.arange(3, 15, 4, dtype=np.int32).get().tolist() == [3, 7, 11]
    assert gpuarray.arange(0.5, 2.0, 0.5).get().tolist() == [0.5, 1.0, 1.5]
    b = a.copy()
    b.fill(2)
    assert (b.get() == 2).all() and np.array_equal(a.get(), host)
    a.set(host * 2)
    assert np.array_equal(a.get(), host * 2)


def test_views_share_memory(host):
    a = gpuarray.to_gpu(host)
    part = a[10:20]
    part.fill(0)
    assert isinstance(part, gpuarray.GPUArray) and (a.get()[10:20] == 0).all()
    grid = a.reshape(10, 100)
    assert grid.shape == (10, 100) and grid.ravel().shape == (1000,) and grid.ptr == a.ptr
    expected = host.copy()
    expected[10:20] = 0
    assert np.array_equal(a.view(np.int32).get(), expected.view(np.int32))


def test_arithmetic_matches_numpy(host):
    x, y = host, np.abs(host) + 1
    a, b = gpuarray.to_gpu(x), gpuarray.to_gpu(y)
    np.testing.assert_array_equal((a + b).get(), x + y)
    np.testing.assert_array_equal((a - b).get(), x - y)
    np.testing.assert_array_equal((a * b).get(), x * y)
    np.testing.assert_allclose((a / b).get(), x / y, rtol=1e-6)
    np.testing.assert_allclose((b ** 2).get(), y ** 2, rtol=1e-6)
    np.testing.assert_allclose((2 ** b).get(), 2 ** y, rtol=1e-6)
    np.testing.assert_array_equal((3 - a).get(), 3 - x)
    np.testing.assert_allclose((1 / b).get(), 1 / y, rtol=1e-6)
    np.testing.assert_array_equal((-a).get(), -x)
    np.testing.assert_array_equal(abs(a).get(), np.abs(x))
    assert (2 * a).dtype == np.float32 and (a * 2.5).dtype == np.float32


def test_result_dtypes_follow_numpy():
    i = gpuarray.to_gpu(np.arange(6, dtype=np.int32))
    assert (i / 2).dtype == np.float64 and (i / 2).get().tolist() == [0, 0.5, 1, 1.5, 2, 2.5]
    assert (i * 2).dtype == np.int32 and (i + i.astype(np.float32)).dtype == np.float64
    assert abs(-i).get().tolist() == list(range(6)) and (i ** 2).get().tolist() == [0, 1, 4, 9, 16, 25]
    assert i.astype(np.float32).get().tolist() == list(range(6))


def test_comparisons_and_inplace(host):
    a = gpuarray.to_gpu(host)
    assert np.array_equal((a > 0).get(), host > 0) and (a > 0).dtype == np.bool_
    assert np.array_equal((a <= a).get(), np.ones(1000, bool)) and not (a != a).get().any()
    a += 1
    a *= 2
    a -= gpuarray.to_gpu(host)
    a /= 2
    np.testing.assert_allclose(a.get(), ((host + 1) * 2 - host) / 2, rtol=1e-6)


def test_operands_that_do_not_fit_are_refused(host):
    a = gpuarray.to_gpu(host)
    with pytest.raises(ShapeError, match=r"shapes \(1000,\) and \(10,\) differ"):
        a + gpuarray.zeros(10)
    with pytest.raises(DTypeError, match="got str"):
        a * "2"


def test_reductions(host):
    a = gpuarray.to_gpu(host)
    np.testing.assert_allclose(gpuarray.sum(a).get(), host.sum(dtype=np.float64), rtol=1e-5)
    np.testing.assert_allclose(float(gpuarray.dot(a, a)), float(host @ host), rtol=1e-5)
    assert float(gpuarray.max(a)) == host.max() and float(gpuarray.min(a)) == host.min()
    ints = gpuarray.to_gpu(np.array([5, -7, 3], np.int32))
    assert int(gpuarray.max(ints).get()) == 5 and int(gpuarray.min(ints).get()) == -7
    assert int(gpuarray.sum(ints).get()) == 1 and gpuarray.sum(ints).shape == ()


def test_elementwise_kernel_pycuda_signature(host):
    lin_comb = ElementwiseKernel("float a, float *x, float b, float *y, float *z",
                                 "z[i] = a*x[i] + b*y[i]", "linear_combination")
    x, y = gpuarray.to_gpu(host), gpuarray.to_gpu(host[::-1].copy())
    z = gpuarray.empty_like(x)
    lin_comb(5, x, 6, y, z)
    np.testing.assert_allclose(z.get(), 5 * host + 6 * host[::-1], rtol=1e-6)
    z.fill(0)
    lin_comb(1, x, 0, y, z, range=slice(10, 20, 3))
    assert np.flatnonzero(z.get()).tolist() == [i for i in range(10, 20, 3) if host[i] != 0]
    with pytest.raises(DTypeError, match="takes 5 arguments"):
        lin_comb(5, x, 6, y)


def test_reduction_kernel():
    dot = ReductionKernel(np.float64, neutral="0", reduce_expr="a+b", map_expr="(double) x[i] * y[i]",
                          arguments="const float *x, const float *y")
    x = gpuarray.to_gpu(np.arange(5000, dtype=np.float32))
    assert dot(x, x).get() == float(np.arange(5000, dtype=np.float64) @ np.arange(5000))
