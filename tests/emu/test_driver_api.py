"""PyCUDA's test/test_driver.py kernel tests, rewritten for the emulator with the one-import
switch, and the driver surface they and PyCUDA's examples use (Device, contexts, events,
streams, copies, pointers)."""
import warnings

import numpy as np
import numpy.linalg as la
import pytest

import warpbench.emu as drv
from warpbench.emu import gpuarray
from warpbench.emu.compiler import SourceModule
from warpbench.emu.errors import InvalidAddress, PortabilityWarning
from warpbench.emu.tools import bitlog2, dtype_to_ctype
from warpbench.errors import ConfigError

MULTIPLY = """
__global__ void multiply_them(float *dest, float *a, float *b)
{
  const int i = threadIdx.x;
  dest[i] = a[i] * b[i];
}
"""


def test_memory():
    z = np.random.randn(400).astype(np.float32)
    new_z = drv.from_device_like(drv.to_device(z), z)
    assert la.norm(new_z - z) == 0


def test_simple_kernel_2_with_offsets():
    multiply_them = SourceModule(MULTIPLY).get_function("multiply_them")
    a = np.random.randn(400).astype(np.float32)
    b = np.random.randn(400).astype(np.float32)
    a_gpu, b_gpu = drv.to_device(a), drv.to_device(b)
    dest = np.zeros_like(a)
    multiply_them(drv.Out(dest), a_gpu, b_gpu, block=(400, 1, 1))
    assert la.norm(dest - a * b) == 0
    drv.Context.synchronize()
    dest = np.zeros_like(a)
    multiply_them(drv.Out(dest), np.intp(a_gpu) + a.itemsize, b_gpu, block=(399, 1, 1))
    assert la.norm(dest[:-1] - a[1:] * b[:-1]) == 0


def test_intp_allocation_offsets():
    a = np.arange(8, dtype=np.float32)
    allocation = drv.mem_alloc(a.nbytes)
    drv.memcpy_htod(allocation, a)
    twice = SourceModule("__global__ void twice(float *x) { x[threadIdx.x] *= 2; }").get_function("twice")
    twice(np.intp(allocation) + 4 * a.itemsize, block=(4, 1, 1))
    assert drv.from_device(allocation, (8,), np.float32).tolist() == [0, 1, 2, 3, 8, 10, 12, 14]
    with pytest.raises(drv.OutOfBoundsWrite, match="uint8"):
        twice(np.intp(allocation) + 4 * a.itemsize, block=(5, 1, 1))


def test_vector_types():
    set_them = SourceModule("""
    __global__ void set_them(float3 *dest, float3 x)
    {
      const int i = threadIdx.x;
      dest[i] = x;
    }
    """).get_function("set_them")
    a = gpuarray.vec.make_float3(1, 2, 3)
    dest = np.empty(400, gpuarray.vec.float3)
    set_them(drv.Out(dest), a, block=(400, 1, 1))
    assert (dest == a).all()


def test_streamed_kernel():
    multiply_them = SourceModule(MULTIPLY.replace("threadIdx.x;", "threadIdx.x*blockDim.y + threadIdx.y;")
                                 ).get_function("multiply_them")
    shape = (32, 8)
    a = drv.pagelocked_zeros(shape, dtype=np.float32)
    b = drv.pagelocked_zeros(shape, dtype=np.float32)
    a[:] = np.random.randn(*shape)
    b[:] = np.random.randn(*shape)
    a_gpu, b_gpu = drv.mem_alloc(a.nbytes), drv.mem_alloc(b.nbytes)
    strm = drv.Stream()
    drv.memcpy_htod_async(a_gpu, a, strm)
    drv.memcpy_htod_async(b_gpu, b, strm)
    strm.synchronize()
    dest = drv.pagelocked_empty_like(a)
    multiply_them(drv.Out(dest), a_gpu, b_gpu, block=shape + (1,), stream=strm)
    strm.synchronize()
    drv.memcpy_dtoh_async(a, a_gpu, strm)
    drv.memcpy_dtoh_async(b, b_gpu, strm)
    strm.synchronize()
    assert la.norm(dest - a * b) == 0 and strm.is_done()


def test_gpuarray():
    a = np.arange(200000, dtype=np.float32)
    b = a + 17
    a_g, b_g = gpuarray.to_gpu(a), gpuarray.to_gpu(b)
    assert la.norm((a_g - 3 * b_g + (-a_g)).get() - (a - 3 * b + (-a))) == 0
    assert la.norm((a_g * b_g).get() - a * b) == 0


def test_large_smem():
    n = 4000
    kernel = SourceModule("""
    #include <stdio.h>
    __global__ void kernel(int *d_data)
    {
    __shared__ int sdata[%d];
    sdata[threadIdx.x] = threadIdx.x;
    d_data[threadIdx.x] = sdata[threadIdx.x];
    }
    """ % n).get_function("kernel")
    arg = gpuarray.zeros((n,), dtype=np.float32)
    with pytest.warns(PortabilityWarning, match="float32 array passed for int"):
        kernel(arg, block=(1, 1, 1))
    assert arg.get()[0] == 0


def test_bitlog():
    assert [bitlog2(17), bitlog2(0xAFFE), bitlog2(0x3AFFE), bitlog2(0xCC3AFFE)] == [4, 15, 17, 27]


def test_multi_context_and_primary_context():
    mem_a = drv.mem_alloc(50)
    ctx2 = drv.Context.get_device().make_context()
    assert drv.Context.get_current() is ctx2
    mem_b = drv.mem_alloc(60)
    del mem_a, mem_b
    ctx2.detach()
    pctx = drv.Context.get_device().retain_primary_context()
    pctx.push()
    assert drv.Context.get_current() is pctx
    pctx.detach()


def test_prepared_invocation():
    a = np.random.randn(4, 4).astype(np.float32)
    a_gpu = drv.mem_alloc(a.size * a.dtype.itemsize)
    drv.memcpy_htod(a_gpu, a)
    func = SourceModule("""
        __global__ void doublify(float *a)
        {
          int idx = threadIdx.x + threadIdx.y*blockDim.x;
          a[idx] *= 2;
        }
        """).get_function("doublify")
    func.prepare("P")
    func.prepared_call((1, 1), (4, 4, 1), a_gpu, shared_size=20)
    a_doubled = np.empty_like(a)
    drv.memcpy_dtoh(a_doubled, a_gpu)
    assert la.norm(a_doubled - 2 * a) == 0
    func.prepare("P")
    a_quadrupled = np.empty_like(a)
    func.prepared_call((1, 1), (15, 1, 1), int(a_gpu) + a.dtype.itemsize)
    drv.memcpy_dtoh(a_quadrupled, a_gpu)
    assert la.norm(a_quadrupled.reshape(-1)[1:] - 4 * a.reshape(-1)[1:]) == 0


def test_prepared_with_vector():
    kernel = SourceModule("""
    __global__ void cuda_function(float3 input, float *out)
    {
    float3 result = make_float3(input.x, input.y, input.z);
    out[0] = result.x + result.y + result.z;
    }
    """, cache_dir=False, keep=False).get_function("cuda_function")
    kernel.prepare([gpuarray.vec.float3, "P"])
    out = gpuarray.zeros(1, np.float32)
    kernel.prepared_call((1, 1, 1), (1, 1, 1), gpuarray.vec.make_float3(0.0, 1.0, 2.0), out)
    assert out.get()[0] == 3


def test_constant_memory():
    module = SourceModule("""
    __constant__ float const_array[32];
    __global__ void copy_constant_into_global(float* global_result_array)
    {
        global_result_array[threadIdx.x] = const_array[threadIdx.x];
    }
    """)
    copy_constant_into_global = module.get_function("copy_constant_into_global")
    const_array, _ = module.get_global("const_array")
    host_array = np.random.randint(0, 255, (32,)).astype(np.float32)
    global_result_array = drv.mem_alloc_like(host_array)
    drv.memcpy_htod(const_array, host_array)
    copy_constant_into_global(global_result_array, grid=(1, 1), block=(32, 1, 1))
    host_result_array = np.zeros_like(host_array)
    drv.memcpy_dtoh(host_result_array, global_result_array)
    assert (host_result_array == host_array).all()


def test_register_host_memory():
    a = drv.aligned_empty((2 ** 12,), np.float64)
    a[:] = 1.5
    a_pin = drv.register_host_memory(a)
    gpu_ary = drv.mem_alloc_like(a)
    drv.memcpy_htod_async(gpu_ary, a_pin, drv.Stream())
    drv.Context.synchronize()
    assert (drv.from_device_like(gpu_ary, a) == 1.5).all()


class WrappedAllocation(drv.PointerHolderBase):
    def __init__(self, wrapped):
        self.wrapped = wrapped

    def get_pointer(self):
        return int(self.wrapped)


def test_pointer_holder_base():
    alloc = WrappedAllocation(drv.mem_alloc(1024))
    array = gpuarray.GPUArray((1024,), np.uint8, gpudata=alloc)
    array.fill(7)
    assert (drv.from_device(alloc, (1024,), np.uint8) == 7).all()


def test_device_and_versions():
    dev = drv.Device(0)
    assert dev.name() == "CUDA emulator" and dev.compute_capability() == (9, 0) and drv.Device.count() == 1
    assert dev.get_attribute(drv.device_attribute.MAX_THREADS_PER_BLOCK) == 1024
    assert dev.max_shared_memory_per_block_optin == 227 * 1024 and dev.warp_size == 32
    assert drv.get_version() == (12, 0, 0) and drv.get_driver_version() == 12000
    with pytest.raises(ConfigError, match=r"Device\(1\): the emulator has one device"):
        drv.Device(1)
    with pytest.raises(ConfigError, match="attribute 999 is not defined"):
        dev.get_attribute(999)


def test_events_time_emulated_wall_clock():
    start, end = drv.Event(), drv.Event()
    with pytest.raises(ConfigError, match="never recorded"):
        end.time_since(start)
    start.record()
    SourceModule(MULTIPLY).get_function("multiply_them")(drv.Out(np.zeros(4, np.float32)),
                                                          drv.In(np.ones(4, np.float32)),
                                                          drv.In(np.ones(4, np.float32)), block=(4, 1, 1))
    end.record().synchronize()
    assert end.query() and end.time_since(start) > 0 and start.time_till(end) == end.time_since(start)


def test_dtod_memset_and_address_checks():
    src = drv.to_device(np.arange(16, dtype=np.uint32))
    dst = drv.mem_alloc(64)
    drv.memcpy_dtod(dst, src, 64)
    assert drv.from_device(dst, (16,), np.uint32).tolist() == list(range(16))
    drv.memset_d32(int(dst) + 8, 0xDEADBEEF, 2)
    drv.memset_d8(dst, 1, 4)
    assert drv.from_device(dst, (4,), np.uint32).tolist() == [0x01010101, 1, 0xDEADBEEF, 0xDEADBEEF]
    with pytest.raises(InvalidAddress, match="memset_d32: 12 bytes .* run 4 bytes past the end"):
        drv.memset_d32(int(dst) + 56, 0, 3)
    with pytest.raises(InvalidAddress, match="do not fit inside"):
        gpuarray.GPUArray((17,), np.uint32, gpudata=int(dst))


def test_cuda_array_interface_objects_and_mismatched_pointers():
    class Foreign:
        def __init__(self, array):
            self.__cuda_array_interface__ = array.__cuda_array_interface__
    x = gpuarray.to_gpu(np.arange(4, dtype=np.float32))
    twice = SourceModule("__global__ void twice(float *x) { x[threadIdx.x] *= 2; }").get_function("twice")
    twice(Foreign(x), block=(4, 1, 1))
    assert x.get().tolist() == [0, 2, 4, 6]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        twice(gpuarray.zeros(4, np.int32), block=(4, 1, 1))
    assert "int32 array passed for float*" in str(caught[0].message)


def test_tools_dtype_to_ctype():
    assert [dtype_to_ctype(t) for t in (np.float32, np.float64, np.int32, np.uint8, np.int64)] == [
        "float", "double", "int", "unsigned char", "long long"]
