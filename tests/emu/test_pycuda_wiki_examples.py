"""PyCUDA's wiki examples (examples/from-wiki/*.py), rewritten for the emulator with the
one-import switch; loops and sizes are cut where the original times many iterations."""
import numpy as np

import warpbench.emu as cuda
import warpbench.emu.autoinit
from warpbench.emu import gpuarray
from warpbench.emu.compiler import SourceModule
from warpbench.emu.elementwise import ElementwiseKernel


def test_arithmetic_example():
    n = 22341
    values = np.random.randn(n)
    func = SourceModule("""
extern "C" {
__global__ void func(float *a, int N, float minval, int denom)
{
int idx = threadIdx.x+threadIdx.y*32+blockIdx.x*blockDim.x;
if (idx < N)
    a[idx] = (a[idx]-minval)/denom;
}
}
""", no_extern_c=1).get_function("func")
    x = np.asarray(values, np.float32)
    x_gpu = gpuarray.to_gpu(x)
    start, end = cuda.Event(), cuda.Event()
    start.record()
    func(x_gpu.gpudata, np.uint32(n), np.float32(0), np.uint32(255), block=(1024, 1, 1),
         grid=(n // 1024 + 1, 1, 1))
    end.record()
    end.synchronize()
    assert start.time_till(end) > 0
    np.testing.assert_allclose(x_gpu.get(), x / 255, rtol=1e-6)


def test_manhattan_distance_for_2d_array():
    w = 7
    diff_func = SourceModule("""
        #include<math.h>
        __global__ void diffusion(  int* result,int width, int height,float x,float y,float z) {
            int xIndex = blockDim.x * blockIdx.x + threadIdx.x;
            int yIndex = blockDim.y * blockIdx.y + threadIdx.y;
            int flatIndex = xIndex + width * yIndex;
            result[flatIndex] = (result[flatIndex]-x)+(result[flatIndex]-y)+(result[flatIndex]-z);
        }
        """).get_function("diffusion")
    res = np.zeros((w, w), dtype="int32")
    height, width = np.int32(len(res)), np.int32(len(res[0]))
    diff_func(cuda.InOut(res), width, height, np.float32(2), np.float32(1), np.float32(1), block=(w, w, 1))
    assert (res == -4).all()


def test_simple_speed_test_sourcemodule_and_elementwise():
    blocks, block_size, n_iter = 4, 128, 50
    nbr_values = blocks * block_size
    gpusin = SourceModule("""
__global__ void gpusin(float *dest, float *a, int n_iter)
{
  const int i = blockDim.x*blockIdx.x + threadIdx.x;
  for(int n = 0; n < n_iter; n++) {
    a[i] = sin(a[i]);
  }
  dest[i] = a[i];
}
""").get_function("gpusin")
    a = np.ones(nbr_values).astype(np.float32)
    dest = np.zeros_like(a)
    gpusin(cuda.Out(dest), cuda.In(a), np.int32(n_iter), grid=(blocks, 1), block=(block_size, 1, 1))
    kernel = ElementwiseKernel("float *a, int n_iter", "for(int n = 0; n < n_iter; n++) { a[i] = sin(a[i]);}",
                               "gpusin")
    a_gpu = gpuarray.to_gpu(np.ones(nbr_values).astype(np.float32))
    kernel(a_gpu, n_iter)
    looped = ElementwiseKernel("float *a", "a[i] = sin(a[i]);", "gpusin")
    b_gpu = gpuarray.to_gpu(np.ones(nbr_values).astype(np.float32))
    for _ in range(n_iter):
        looped(b_gpu)
    expected = np.ones(nbr_values, np.float32)
    for _ in range(n_iter):
        expected = np.sin(expected)
    np.testing.assert_allclose(dest, expected, rtol=1e-5)
    np.testing.assert_allclose(a_gpu.get(), expected, rtol=1e-5)
    np.testing.assert_allclose(b_gpu.get(), expected, rtol=1e-5)


def test_cpp_function_templates():
    func = SourceModule("""
template <class T>
__device__ T incr(T x) {
    return (x + 1.0);
}

extern "C" {
    __global__ void func(float *a, int N)
    {
        int idx = threadIdx.x;
        if (idx < N)
            a[idx] = incr(a[idx]);
    }
}
""", no_extern_c=1).get_function("func")
    n = 5
    x = np.asarray(np.random.rand(n), np.float32)
    x_gpu = gpuarray.to_gpu(x)
    func(x_gpu.gpudata, np.uint32(n), block=(n, 1, 1))
    assert np.array_equal(x_gpu.get(), x + 1)


def test_kernel_concurrency_streams_and_events():
    my_kernel = SourceModule("""
__global__ void my_kernel(float *d) {
    const int i = threadIdx.x;
    for (int m=0; m<100; m++) {
        for (int k=0; k<100 ; k++)
            d[i] = d[i] * 2.0;
        for (int k=0; k<100 ; k++)
            d[i] = d[i] / 2.0;
    }
    d[i] = d[i] * 2.0;
}
""").get_function("my_kernel")
    big_n, n, rounds = 400, 2, 3
    data = [np.random.randn(big_n).astype(np.float32) for _ in range(n)]
    data_check = [d.copy() for d in data]
    d_data = [cuda.mem_alloc(d.nbytes) for d in data]
    ref = cuda.Event()
    ref.record()
    stream = [cuda.Stream() for _ in range(n)]
    event = [{"kernel_begin": cuda.Event(), "kernel_end": cuda.Event()} for _ in range(n)]
    for k in range(n):
        cuda.memcpy_htod(d_data[k], data[k])
    for _ in range(rounds):
        for k in range(n):
            event[k]["kernel_begin"].record(stream[k])
            my_kernel(d_data[k], block=(big_n, 1, 1), stream=stream[k])
        for k in range(n):
            event[k]["kernel_end"].record(stream[k])
    for k in range(n):
        cuda.memcpy_dtoh(data[k], d_data[k])
    dev = warpbench.emu.autoinit.device
    assert dev.get_attribute(cuda.device_attribute.CONCURRENT_KERNELS) == 0
    for k in range(n):
        assert np.linalg.norm(data_check[k] * 2 ** rounds - data[k]) == 0.0
        assert 0 < ref.time_till(event[k]["kernel_begin"]) < ref.time_till(event[k]["kernel_end"])


def test_threads_and_blocks_printf(capfd):
    func = SourceModule("""
    #include <stdio.h>
    __global__ void say_hi()
    {
      printf("I am %dth thread in threadIdx.x:%d.threadIdx.y:%d  blockIdx.:%d blockIdx.y:%d blockDim.x:%d blockDim.y:%d\\n",(threadIdx.x+threadIdx.y*blockDim.x+(blockIdx.x*blockDim.x*blockDim.y)+(blockIdx.y*blockDim.x*blockDim.y)),threadIdx.x, threadIdx.y,blockIdx.x,blockIdx.y,blockDim.x,blockDim.y);
    }
    """).get_function("say_hi")  # noqa: E501 (the example's line)
    func(block=(4, 4, 1), grid=(2, 2, 1))
    lines = [line for line in capfd.readouterr().out.splitlines() if line.startswith("I am")]
    assert len(lines) == 64 and "I am 0th thread in threadIdx.x:0.threadIdx.y:0" in lines[0]
