"""A PyCUDA user's first tests after the README's one-import switch: PyCUDA's tutorial and
documentation idioms, unchanged but for the imports, on the emulator."""
import numpy as np
import pytest

import warpbench.emu.autoinit  # noqa: F401  was: import pycuda.autoinit
import warpbench.emu.gpuarray as gpuarray
from warpbench.emu import OutOfBoundsWrite
from warpbench.emu import driver as cuda
from warpbench.emu.compiler import SourceModule
from warpbench.emu.elementwise import ElementwiseKernel
from warpbench.emu.reduction import ReductionKernel
from warpbench.emu.tools import dtype_to_ctype
from warpbench.errors import WarpbenchError

DOUBLIFY = """
  __global__ void doublify(float *a)
  {
    int idx = threadIdx.x + threadIdx.y*4;
    a[idx] *= 2;
  }
  """


def test_tutorial_mem_alloc_memcpy_and_prepared_call():
    a = np.random.randn(4, 4).astype(np.float32)
    a_gpu = cuda.mem_alloc(a.nbytes)
    cuda.memcpy_htod(a_gpu, a)
    func = SourceModule(DOUBLIFY).get_function("doublify")
    func(a_gpu, block=(4, 4, 1))
    a_doubled = np.empty_like(a)
    cuda.memcpy_dtoh(a_doubled, a_gpu)
    assert np.allclose(a_doubled, 2 * a)
    func.prepare("P")
    func.prepared_call((1, 1), (4, 4, 1), a_gpu)
    cuda.memcpy_dtoh(a_doubled, a_gpu)
    assert np.allclose(a_doubled, 4 * a)


def test_tutorial_inout_and_gpuarray():
    a = np.random.randn(4, 4).astype(np.float32)
    before = a.copy()
    SourceModule(DOUBLIFY).get_function("doublify")(cuda.InOut(a), block=(4, 4, 1))
    assert np.allclose(a, 2 * before)
    a_gpu = gpuarray.to_gpu(before)
    assert np.allclose((2 * a_gpu).get(), 2 * before)


def test_gpuarray_arithmetic_comparisons_and_reductions():
    x = np.arange(16, dtype=np.float32).reshape(4, 4)
    y = np.random.rand(4, 4).astype(np.float32) + 1
    xg, yg = gpuarray.to_gpu(x), gpuarray.to_gpu(y)
    assert np.allclose((xg + yg).get(), x + y) and np.allclose((xg - yg).get(), x - y)
    assert np.allclose((xg * yg).get(), x * y) and np.allclose((xg / yg).get(), x / y)
    assert np.allclose((-xg).get(), -x) and np.allclose(abs(-xg).get(), x) and np.allclose((xg ** 2).get(), x ** 2)
    assert (xg > 5).get().sum() == 10
    assert gpuarray.sum(xg).get() == 120 and gpuarray.max(xg).get() == 15 and gpuarray.min(xg).get() == 0
    assert np.isclose(gpuarray.dot(xg, yg).get(), (x * y).sum(), rtol=1e-5)
    xg += 1
    out = np.empty_like(x)
    xg.get(out)
    assert np.array_equal(out, x + 1)


def test_gpuarray_constructors_and_properties():
    assert np.array_equal(gpuarray.arange(0, 10, 1, dtype=np.float32).get(), np.arange(10, dtype=np.float32))
    z = gpuarray.zeros((3, 2), np.float32)
    assert z.get().tolist() == [[0, 0]] * 3 and (z.shape, z.size, z.nbytes, z.dtype) == ((3, 2), 6, 24, np.float32)
    assert gpuarray.zeros_like(z).shape == (3, 2) and gpuarray.empty_like(z).dtype == np.float32
    z.fill(3)
    assert np.all(z.get() == 3) and np.all(z.copy().get() == 3) and z.reshape(6).shape == (6,)
    assert z.astype(np.float64).dtype == np.float64
    interface = z.__cuda_array_interface__
    assert interface["shape"] == (3, 2) and interface["typestr"] == "<f4"


def test_elementwise_kernel_with_preamble_and_range():
    lin_comb = ElementwiseKernel(
        "float a, float *x, float b, float *y, float *z",
        "z[i] = my_f(a*x[i], b*y[i])",
        "linear_combination",
        preamble="""
        __device__ float my_f(float x, float y)
        {
          return sin(x*y);
        }
        """)
    x = gpuarray.to_gpu(np.random.randn(50).astype(np.float32))
    y = gpuarray.to_gpu(np.random.randn(50).astype(np.float32))
    z = gpuarray.zeros_like(x)
    lin_comb(5, x, 6, y, z)
    assert np.allclose(z.get(), np.sin(5 * x.get() * 6 * y.get()), atol=1e-5)
    z.fill(0)
    lin_comb(5, x, 6, y, z, range=slice(0, 10))
    assert np.all(z.get()[10:] == 0) and np.allclose(z.get()[:10], np.sin(30 * x.get()[:10] * y.get()[:10]),
                                                     atol=1e-5)


def test_reduction_kernel_dot_and_max():
    dot = ReductionKernel(np.float32, neutral="0", reduce_expr="a+b", map_expr="x[i]*y[i]",
                          arguments="float *x, float *y")
    x = gpuarray.to_gpu(np.random.randn(1000).astype(np.float32))
    y = gpuarray.to_gpu(np.random.randn(1000).astype(np.float32))
    assert np.isclose(dot(x, y).get(), np.dot(x.get(), y.get()), rtol=1e-4, atol=1e-4)
    largest = ReductionKernel(np.float32, neutral="-1e38", reduce_expr="max(a,b)", map_expr="x[i]",
                              arguments="float *x")
    assert largest(x).get() == x.get().max()


def test_event_timing_and_streams():
    start, end = cuda.Event(), cuda.Event()
    start.record()
    (gpuarray.to_gpu(np.ones(1000, np.float32)) * 2).get()
    end.record()
    end.synchronize()
    assert start.time_till(end) >= 0 and end.time_since(start) >= 0 and end.query()
    stream = cuda.Stream()
    event = cuda.Event()
    event.record(stream)
    stream.synchronize()
    assert event.query()


def test_device_attributes_are_an_sm_90s():
    cuda.init()
    device = cuda.Device(0)
    assert cuda.Device.count() == 1 and device.compute_capability() == (9, 0)
    assert device.get_attribute(cuda.device_attribute.MAX_THREADS_PER_BLOCK) == 1024
    assert device.get_attributes()[cuda.device_attribute.WARP_SIZE] == 32
    free, total = cuda.mem_get_info()
    assert 0 < free <= total == device.total_memory()


def test_memset_pointer_offsets_and_from_device():
    host = cuda.pagelocked_empty((8,), np.float32)
    host[:] = np.arange(8)
    dev = cuda.mem_alloc(host.nbytes)
    cuda.memcpy_htod(dev, host)
    cuda.memset_d32(dev, 0, 4)
    assert cuda.from_device(dev, (8,), np.float32).tolist() == [0, 0, 0, 0, 4, 5, 6, 7]
    tail = np.empty(4, np.float32)
    cuda.memcpy_dtoh(tail, np.intp(int(dev)) + 16)
    assert tail.tolist() == [4, 5, 6, 7]
    copy = cuda.mem_alloc_like(host)
    cuda.memcpy_dtod(copy, dev, host.nbytes)
    assert cuda.from_device_like(copy, host).tolist() == [0, 0, 0, 0, 4, 5, 6, 7]


def test_dynamic_shared_constant_memory_and_gpuarray_arguments():
    mod = SourceModule("""
    __constant__ float w[4];
    __global__ void rev(float *d, int n) { extern __shared__ float s[]; int t = threadIdx.x;
        s[t] = d[t]; __syncthreads(); d[t] = s[n - t - 1] + w[t % 4]; }""")
    address, nbytes = mod.get_global("w")
    assert nbytes == 16
    cuda.memcpy_htod(address, np.zeros(4, np.float32))
    a = gpuarray.to_gpu(np.arange(64, dtype=np.float32))
    mod.get_function("rev")(a, np.int32(64), block=(64, 1, 1), grid=(1, 1), shared=64 * 4)
    assert np.array_equal(a.get(), np.arange(64, dtype=np.float32)[::-1])


def test_time_kernel_returns_seconds_and_dtype_to_ctype():
    f = SourceModule("__global__ void inc(float *a) { a[threadIdx.x] += 1; }").get_function("inc")
    a = np.zeros(32, np.float32)
    assert f(cuda.InOut(a), block=(32, 1, 1), time_kernel=True) > 0 and np.all(a == 1)
    assert dtype_to_ctype(np.float32) == "float" and dtype_to_ctype(np.int32) == "int"


def test_an_out_of_bounds_write_is_an_exception_and_the_next_launch_runs():
    a = gpuarray.zeros(32, np.float32)
    with pytest.raises(cuda.LaunchError, match="kernel 'w'.*buffer") as fault:
        SourceModule("__global__ void w(float *a) { a[threadIdx.x + 1] = 1; }").get_function("w")(a, block=(32, 1, 1))
    assert all(isinstance(fault.value, cls) for cls in (OutOfBoundsWrite, cuda.Error, WarpbenchError))
    SourceModule("__global__ void ok(float *a) { a[threadIdx.x] = 1; }").get_function("ok")(a, block=(32, 1, 1))
    assert np.all(a.get() == 1)


def test_racecheck_on_a_pycuda_style_call_finds_a_lost_update():
    from warpbench.emu import RaceDetected
    count = SourceModule("__global__ void count(int *c) { c[0] = c[0] + 1; }").get_function("count")
    with pytest.raises(RaceDetected, match="count"):
        count(cuda.InOut(np.zeros(1, np.int32)), block=(64, 1, 1), racecheck=True)


def test_initcheck_on_a_pycuda_style_call_finds_an_uninitialised_read():
    from warpbench.emu import UninitializedRead
    copy = SourceModule("__global__ void copy(float *o, const float *i) { o[threadIdx.x] = i[threadIdx.x]; }")
    data = cuda.mem_alloc(32 * 4)   # never written
    with pytest.raises(UninitializedRead):
        copy.get_function("copy")(cuda.Out(np.zeros(32, np.float32)), data, block=(32, 1, 1), initcheck=True)


def test_check_determinism_catches_a_missing_syncthreads():
    from warpbench.emu import NondeterministicResult
    src = """
    #define T 32
    __global__ void tr(float *out, const float *in, int n) {
      __shared__ float tile[T][T + 1];
      int x = blockIdx.x * T + threadIdx.x, y = blockIdx.y * T + threadIdx.y;
      tile[threadIdx.y][threadIdx.x] = in[y * n + x];
      x = blockIdx.y * T + threadIdx.x; y = blockIdx.x * T + threadIdx.y;
      out[y * n + x] = tile[threadIdx.x][threadIdx.y];
    }"""
    tr = SourceModule(src).get_function("tr")
    a, out = np.random.rand(64, 64).astype(np.float32), np.zeros((64, 64), np.float32)
    with pytest.raises(NondeterministicResult, match="'tr'"):
        tr(cuda.Out(out), cuda.In(a), np.int32(64), grid=(2, 2), block=(32, 32, 1), check_determinism=True)


def test_check_determinism_of_an_atomic_compaction_with_unordered_rows():
    from warpbench.emu import check_determinism
    compact = SourceModule("""
    __global__ void compact(int *out, int *count, const int *in) {
      int v = in[threadIdx.x];
      if (v % 2 == 0) { int slot = atomicAdd(count, 1); out[slot] = v; }
    }""").get_function("compact")

    def arguments():   # fresh each time: InOut copies the count back
        return (cuda.Out(np.zeros(32, np.int32)), cuda.InOut(np.zeros(1, np.int32)),
                cuda.In(np.arange(64, dtype=np.int32)))
    assert not check_determinism(compact, *arguments(), block=(64, 1, 1)).identical
    assert check_determinism(compact, *arguments(), block=(64, 1, 1), unordered=["out"]).identical
