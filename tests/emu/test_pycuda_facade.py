"""The PyCUDA-compatible facade, warpbench.emu."""
import numpy as np
import pytest

import warpbench.emu as drv
from warpbench.emu import In, InOut, Out, SourceModule
from warpbench.errors import ConfigError, DTypeError, ShapeError
from tests.emu.support import run_isolated

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


def test_copies_that_do_not_fit_are_one_line_errors():
    """They used to overrun the allocation (a glibc abort) or write to address 0 (SIGSEGV)."""
    script = """
import numpy as np
import warpbench.emu as drv
from warpbench.errors import WarpbenchError
allocation = drv.mem_alloc(400)
host = np.zeros(101, np.float32)
for copy, target, data in [(drv.memcpy_htod, allocation, host), (drv.memcpy_htod, 0, host[:1]),
                           (drv.memcpy_htod, int(allocation) + 200, host[:51]),
                           (drv.memcpy_htod, 12345, host[:1]), (drv.memcpy_dtoh, host, allocation),
                           (drv.memcpy_dtoh, host, int(allocation) + 4), (drv.memcpy_dtoh, host, 0)]:
    try:
        copy(target, data)
        print("copied")
    except WarpbenchError as error:
        print(type(error).__name__, "|", error)
drv.memcpy_htod(int(allocation) + 200, np.arange(50, dtype=np.float32))
drv.memcpy_dtoh(host[:50], int(allocation) + 200)
print(np.array_equal(host[:50], np.arange(50)))
"""
    lines = run_isolated(script)
    assert [line.split(" |")[0] for line in lines[:-1]] == [
        "ShapeError", "InvalidAddress", "InvalidAddress", "InvalidAddress", "ShapeError", "InvalidAddress",
        "InvalidAddress"]
    assert lines[0].endswith("memcpy_htod: copying 404 bytes overruns the destination, "
                             "a uint8[400] (400 bytes) device array")
    assert "destination address 0x0 is not inside a live device allocation" in lines[1]
    assert "204 bytes at destination address" in lines[2] and "run 4 bytes past the end of" in lines[2]
    assert "memcpy_dtoh: copying 404 bytes overruns the source" in lines[4]
    assert "source address 0x0 is not inside" in lines[6]
    assert lines[-1] == "True"


def test_copies_to_globals_and_views_are_checked():
    mod = SourceModule(TEMPLATED, no_extern_c=True)
    address, size = mod.get_global("scale")
    drv.memcpy_htod(address, np.array([3.0], np.float32))
    with pytest.raises(drv.InvalidAddress, match=r"8 bytes at destination address .* run 4 bytes past the end "
                                                 r"of __device__ variable 'scale' \(4 bytes\)"):
        drv.memcpy_htod(address, np.array([3.0, 4.0], np.float32))
    array = drv.zeros(10, np.float32)
    drv.memcpy_htod(array[5:], np.full(5, 2, np.float32))
    with pytest.raises(ShapeError, match="copying 24 bytes overruns the destination, a float32\\[5\\]"):
        drv.memcpy_htod(array[5:], np.full(6, 2, np.float32))
    assert array.get().tolist() == [0] * 5 + [2] * 5


def test_unsupported_feature_lines_are_the_users_under_the_extern_c_wrapping():
    with pytest.raises(drv.UnsupportedFeature) as info:
        SourceModule("__global__ void k(float* x) {\n    x[0] = 1;\n    asm(\"nop\");\n}\n")
    assert (info.value.file, info.value.line) == ("kernel.cu", 3)
    assert str(info.value).startswith("kernel.cu:3: inline assembly")


def test_pycuda_module_names_have_counterparts():
    """Each of PyCUDA's modules an example imports has one under warpbench.emu."""
    from warpbench.emu import autoinit, compiler, elementwise, gpuarray, reduction, tools
    assert compiler.SourceModule is SourceModule and autoinit.device == drv.Device(0)
    assert tools.dtype_to_ctype(np.float64) == "double" and gpuarray.vec.float4.itemsize == 16
    assert callable(elementwise.ElementwiseKernel) and callable(reduction.ReductionKernel)
    for name in ["Device", "Event", "Stream", "mem_alloc_like", "from_device", "memcpy_dtod", "memset_d32",
                 "pagelocked_empty", "get_version", "device_attribute", "make_context", "PointerHolderBase"]:
        assert name in drv.__all__ and hasattr(drv, name)
