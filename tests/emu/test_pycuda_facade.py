"""The PyCUDA-compatible facade, warpbench.emu."""
import numpy as np
import pytest

import warpbench.emu as drv
from warpbench.emu import In, InOut, Out, SourceModule
from warpbench.errors import ConfigError, DTypeError

MULTIPLY = """
__global__ void multiply_them(float *dest, float *a, float *b)
{
  const int i = threadIdx.x;
  dest[i] = a[i] * b[i];
}
"""

TEMPLATED = """
__constant__ float scale[1];
__device__ int calls;

template <int N>
__global__ void scaled_sum(const float* x, float* out) {
    float acc = 0.0f;
    for (int i = 0; i < N; ++i) acc += x[threadIdx.x * N + i];
    out[threadIdx.x] = acc * scale[0];
    atomicAdd(&calls, 1);
}

extern "C" __global__ void count(int* out) { out[0] = calls; }
"""


def test_pycuda_hello_world():
    mod = SourceModule(MULTIPLY)
    multiply_them = mod.get_function("multiply_them")
    a = np.random.default_rng(0).standard_normal(400).astype(np.float32)
    b = np.random.default_rng(1).standard_normal(400).astype(np.float32)
    dest = np.zeros_like(a)
    multiply_them(drv.Out(dest), drv.In(a), drv.In(b), block=(400, 1, 1), grid=(1, 1))
    np.testing.assert_array_equal(dest, a * b)


def test_inout_and_gpuarrays():
    mod = SourceModule("__global__ void twice(float* x, int n) { int i = threadIdx.x; if (i < n) x[i] *= 2; }")
    x = np.arange(10, dtype=np.float32)
    mod.get_function("twice")(InOut(x), np.int32(10), block=(16, 1, 1))
    np.testing.assert_array_equal(x, 2 * np.arange(10))
    gpu = drv.to_gpu(np.ones(10, np.float32))
    mod.get_function("twice")(gpu, np.int32(10), block=(16, 1, 1), grid=(1, 1))
    np.testing.assert_array_equal(gpu.get(), 2 * np.ones(10))


def test_bare_python_numbers_are_refused():
    f = SourceModule(MULTIPLY.replace("float *b)", "float *b, float s)")).get_function("multiply_them")
    a = np.ones(4, np.float32)
    with pytest.raises(DTypeError, match=r"parameter 3 's' \(float\): got a Python float.*np.float32\(2.0\)"):
        f(Out(a), In(a), In(a), 2.0, block=(4, 1, 1))
    with pytest.raises(DTypeError, match="np.float32"):
        f(Out(a), In(a), In(a), np.float64(2.0), block=(4, 1, 1))
    with pytest.raises(ValueError, match="must specify block size"):
        f(Out(a), In(a), In(a), np.float32(2.0))


def test_prepared_call_with_mem_alloc_and_memcpy():
    mod = SourceModule("__global__ void axpb(float* y, const float* x, float a, int n) "
                       "{ int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) y[i] = a * x[i] + 1; }")
    f = mod.get_function("axpb").prepare("PPfi")
    x = np.arange(300, dtype=np.float32)
    x_gpu, y_gpu = drv.mem_alloc(x.nbytes), drv.mem_alloc(x.nbytes)
    drv.memcpy_htod(x_gpu, x)
    f.prepared_call((3, 1), (128, 1, 1), y_gpu, x_gpu, 0.5, 300)
    y = np.empty_like(x)
    drv.memcpy_dtoh(y, y_gpu)
    np.testing.assert_array_equal(y, 0.5 * x + 1)
    assert f.prepared_timed_call((3, 1), (128, 1, 1), y_gpu, x_gpu, 0.5, 300)() >= 0


def test_template_functions_and_globals_survive_recompilation():
    mod = SourceModule(TEMPLATED, no_extern_c=True)
    address, size = mod.get_global("scale")
    assert size == 4
    drv.memcpy_htod(address, np.array([3.0], np.float32))
    x = np.arange(32, dtype=np.float32)
    for n in (4, 8):
        out = np.zeros(32 // n, np.float32)
        mod.get_function(f"scaled_sum<{n}>")(In(x), Out(out), block=(32 // n, 1, 1), grid=(1, 1))
        np.testing.assert_array_equal(out, 3 * x.reshape(-1, n).sum(1))
    calls = np.zeros(1, np.int32)
    mod.get_function("count")(Out(calls), block=(1, 1, 1))
    assert calls[0] == 8 + 4


def test_launch_flags_and_limits():
    mod = SourceModule(MULTIPLY)
    f = mod.get_function("multiply_them")
    a = np.ones(64, np.float32)
    dest = np.zeros_like(a)
    elapsed = f(Out(dest), In(a), In(a), block=(64, 1, 1), thread_order="random:3", check_determinism=True,
                time_kernel=True)
    assert elapsed > 0 and (dest == 1).all()
    report = drv.check_determinism(f, Out(dest), In(a), In(a), grid=1, block=64)
    assert report.identical
    with pytest.raises(ConfigError, match="multiply_them.*2048 threads"):
        f(Out(dest), In(a), In(a), block=(2048, 1, 1))
    assert f.shared_size_bytes == 0 and f.max_threads_per_block == 1024


def test_facade_exports():
    for name in ["SourceModule", "In", "Out", "InOut", "to_device", "empty", "zeros", "check_determinism"]:
        assert hasattr(drv, name)
    assert drv.zeros(3, np.float64).get().tolist() == [0, 0, 0]
    assert np.isnan(drv.empty(3, np.float32).get()).all()
    assert (drv.empty(3, np.float32, fill=2.5).get() == 2.5).all()
    assert drv.empty(2, np.uint32, fill=b"\x01\x02").get().tolist() == [0x02010201] * 2
