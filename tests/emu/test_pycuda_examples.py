"""PyCUDA's own examples (examples/*.py), rewritten for the emulator with the
one-import switch: ``import warpbench.emu as cuda`` for ``pycuda.driver``,
``warpbench.emu.gpuarray``/``.compiler``/``.elementwise``/``.autoinit`` for PyCUDA's modules.
Sizes are cut where the original loops over many sizes or fills the whole device."""
import numpy as np

import warpbench.emu as cuda
import warpbench.emu.autoinit  # noqa: F401 (as pycuda.autoinit)
from warpbench.emu import compiler, gpuarray
from warpbench.emu.compiler import SourceModule


def test_hello_gpu():
    mod = SourceModule("""
    __global__ void multiply_them(float *dest, float *a, float *b)
    {
      const int i = threadIdx.x;
      dest[i] = a[i] * b[i];
    }
    """)
    multiply_them = mod.get_function("multiply_them")
    a = np.random.randn(400).astype(np.float32)
    b = np.random.randn(400).astype(np.float32)
    dest = np.zeros_like(a)
    multiply_them(cuda.Out(dest), cuda.In(a), cuda.In(b), block=(400, 1, 1), grid=(1, 1))
    assert np.array_equal(dest, a * b)


def test_demo():
    a = np.random.randn(4, 4).astype(np.float32)
    a_gpu = cuda.mem_alloc(a.size * a.dtype.itemsize)
    cuda.memcpy_htod(a_gpu, a)
    mod = SourceModule("""
    __global__ void doublify(float *a)
    {
      int idx = threadIdx.x + threadIdx.y*4;
      a[idx] *= 2;
    }
    """)
    func = mod.get_function("doublify")
    func(a_gpu, block=(4, 4, 1), grid=(1, 1), shared=0)
    a_doubled = np.empty_like(a)
    cuda.memcpy_dtoh(a_doubled, a_gpu)
    assert np.array_equal(a_doubled, 2 * a)
    original = a.copy()
    func(cuda.InOut(a), block=(4, 4, 1))
    assert np.array_equal(a, 2 * original)
    a_gpu = gpuarray.to_gpu(np.random.randn(4, 4).astype(np.float32))
    a_doubled = (2 * a_gpu).get()
    assert np.array_equal(a_doubled, 2 * a_gpu.get()) and "[" in str(a_gpu)


class DoubleOpStruct:
    mem_size = 8 + np.intp(0).nbytes

    def __init__(self, array, struct_arr_ptr):
        self.data = cuda.to_device(array)
        self.shape, self.dtype = array.shape, array.dtype
        cuda.memcpy_htod(int(struct_arr_ptr), np.int32(array.size))
        cuda.memcpy_htod(int(struct_arr_ptr) + 8, np.intp(int(self.data)))

    def get(self):
        return cuda.from_device(self.data, self.shape, self.dtype)


def test_demo_struct():
    struct_arr = cuda.mem_alloc(2 * DoubleOpStruct.mem_size)
    do2_ptr = int(struct_arr) + DoubleOpStruct.mem_size
    array1 = DoubleOpStruct(np.array([1, 2, 3], dtype=np.float32), struct_arr)
    array2 = DoubleOpStruct(np.array([0, 4], dtype=np.float32), do2_ptr)
    mod = SourceModule("""
    struct DoubleOperation {
        int datalen, __padding; // so 64-bit ptrs can be aligned
        float *ptr;
    };

    __global__ void double_array(DoubleOperation *a)
    {
        a = a + blockIdx.x;
        for (int idx = threadIdx.x; idx < a->datalen; idx += blockDim.x)
        {
            float *a_ptr = a->ptr;
            a_ptr[idx] *= 2;
        }
    }
    """)
    func = mod.get_function("double_array")
    func(struct_arr, block=(32, 1, 1), grid=(2, 1))
    assert array1.get().tolist() == [2, 4, 6] and array2.get().tolist() == [0, 8]
    func(np.intp(do2_ptr), block=(32, 1, 1), grid=(1, 1))
    assert array1.get().tolist() == [2, 4, 6] and array2.get().tolist() == [0, 16]
    assert cuda.get_version() >= (4,)
    func.prepare("P")
    block = (32, 1, 1)
    func.prepared_call((2, 1), block, struct_arr)
    assert array1.get().tolist() == [4, 8, 12] and array2.get().tolist() == [0, 32]
    func.prepared_call((1, 1), block, do2_ptr)
    assert array1.get().tolist() == [4, 8, 12] and array2.get().tolist() == [0, 64]


def test_dump_properties():
    cuda.init()
    lines = [f"{cuda.Device.count()} device(s) found."]
    for ordinal in range(cuda.Device.count()):
        dev = cuda.Device(ordinal)
        lines.append("Device #%d: %s" % (ordinal, dev.name()))
        lines.append("  Compute Capability: %d.%d" % dev.compute_capability())
        lines.append("  Total Memory: %s KB" % (dev.total_memory() // 1024))
        atts = sorted((str(att), value) for att, value in dev.get_attributes().items())
        lines += ["  %s: %s" % (att, value) for att, value in atts]
    assert lines[:3] == ["1 device(s) found.", "Device #0: CUDA emulator", "  Compute Capability: 9.0"]
    assert "  MAX_THREADS_PER_BLOCK: 1024" in lines and "  MULTIPROCESSOR_COUNT: 132" in lines


def test_demo_meta_template():
    thread_strides, block_size, macroblock_count = 16, 32, 33
    total_size = thread_strides * block_size * macroblock_count
    a = np.random.randn(total_size).astype(np.float32)
    b = np.random.randn(total_size).astype(np.float32)
    a_gpu, b_gpu = cuda.to_device(a), cuda.to_device(b)
    c_gpu = cuda.mem_alloc(a.nbytes)
    body = "".join(f"tgt[idx + {i * block_size}] = op1[idx + {i * block_size}] + op2[idx + {i * block_size}];\n"
                   for i in range(thread_strides))
    mod = SourceModule("__global__ void add(float *tgt, float *op1, float *op2)\n{\n"
                       f"  int idx = threadIdx.x + {block_size} * {thread_strides} * blockIdx.x;\n{body}}}")
    mod.get_function("add")(c_gpu, a_gpu, b_gpu, block=(block_size, 1, 1), grid=(macroblock_count, 1))
    c = cuda.from_device_like(c_gpu, a)
    assert np.array_equal(c, a + b)


MATRIXMUL_TILED = """
__global__ void MatrixMulKernel(float *A, float *B, float *C)
{
  const uint wA = %(MATRIX_SIZE)s;
  const uint wB = %(MATRIX_SIZE)s;
  const uint bx = blockIdx.x;
  const uint by = blockIdx.y;
  const uint tx = threadIdx.x;
  const uint ty = threadIdx.y;
  const uint aBegin = wA * %(BLOCK_SIZE)s * by;
  const uint aEnd = aBegin + wA - 1;
  const uint aStep = %(BLOCK_SIZE)s;
  const uint bBegin = %(BLOCK_SIZE)s * bx;
  const uint bStep = %(BLOCK_SIZE)s * wB;
  float Csub = 0;
  for (int a = aBegin, b = bBegin; a <= aEnd; a += aStep, b += bStep)
    {
      __shared__ float As[%(BLOCK_SIZE)s][%(BLOCK_SIZE)s];
      __shared__ float Bs[%(BLOCK_SIZE)s][%(BLOCK_SIZE)s];
      As[ty][tx] = A[a + wA * ty + tx];
      Bs[ty][tx] = B[b + wB * ty + tx];
      __syncthreads();
      for (int k = 0; k < %(BLOCK_SIZE)s; ++k)
        Csub += As[ty][k] * Bs[k][tx];
      __syncthreads();
    }
  const uint c = wB * %(BLOCK_SIZE)s * by + %(BLOCK_SIZE)s * bx;
  C[c + wB * ty + tx] = Csub;
}
"""


def test_matrixmul_tiled():
    matrix_size, tile_size = 4, 2
    a_cpu = np.random.randn(matrix_size, matrix_size).astype(np.float32)
    b_cpu = np.random.randn(matrix_size, matrix_size).astype(np.float32)
    a_gpu, b_gpu = gpuarray.to_gpu(a_cpu), gpuarray.to_gpu(b_cpu)
    c_gpu = gpuarray.empty((matrix_size, matrix_size), np.float32)
    mod = compiler.SourceModule(MATRIXMUL_TILED % {"MATRIX_SIZE": matrix_size, "BLOCK_SIZE": tile_size})
    matrixmul = mod.get_function("MatrixMulKernel")
    matrixmul(a_gpu, b_gpu, c_gpu, grid=(matrix_size // tile_size, matrix_size // tile_size),
              block=(tile_size, tile_size, 1))
    np.testing.assert_allclose(c_gpu.get(), a_cpu @ b_cpu, rtol=1e-5, atol=1e-5)


BIG_BLOCK_TRANSPOSE = """
  #define BLOCK_SIZE 16
  #define A_BLOCK_STRIDE (BLOCK_SIZE*a_width)
  #define A_T_BLOCK_STRIDE (BLOCK_SIZE*a_height)

  __global__ void transpose(float *A, float *A_t, int a_width, int a_height)
  {
    int base_idx_a   = 2*blockIdx.x*BLOCK_SIZE + 2*blockIdx.y*A_BLOCK_STRIDE;
    int base_idx_a_t = 2*blockIdx.y*BLOCK_SIZE + 2*blockIdx.x*A_T_BLOCK_STRIDE;
    int glob_idx_a   = base_idx_a + threadIdx.x + a_width*threadIdx.y;
    int glob_idx_a_t = base_idx_a_t + threadIdx.x + a_height*threadIdx.y;
    __shared__ float A_shared[2*BLOCK_SIZE][2*BLOCK_SIZE+1];
    A_shared[threadIdx.y][threadIdx.x] = A[glob_idx_a];
    A_shared[threadIdx.y][threadIdx.x+BLOCK_SIZE] = A[glob_idx_a+A_BLOCK_STRIDE];
    A_shared[threadIdx.y+BLOCK_SIZE][threadIdx.x] = A[glob_idx_a+BLOCK_SIZE];
    A_shared[threadIdx.y+BLOCK_SIZE][threadIdx.x+BLOCK_SIZE] = A[glob_idx_a+BLOCK_SIZE+A_BLOCK_STRIDE];
    __syncthreads();
    A_t[glob_idx_a_t] = A_shared[threadIdx.x][threadIdx.y];
    A_t[glob_idx_a_t+A_T_BLOCK_STRIDE] = A_shared[threadIdx.x+BLOCK_SIZE][threadIdx.y];
    A_t[glob_idx_a_t+BLOCK_SIZE] = A_shared[threadIdx.x][threadIdx.y+BLOCK_SIZE];
    A_t[glob_idx_a_t+A_T_BLOCK_STRIDE+BLOCK_SIZE] = A_shared[threadIdx.x+BLOCK_SIZE][threadIdx.y+BLOCK_SIZE];
  }
"""


def test_transpose_with_prepare_block_and_event_timing():
    """The example passes (target, source) to a kernel declared (A, A_t): it transposes the
    uninitialised target into the source. On a GPU its check still passes (both sides hold
    the same garbage); here uninitialised memory reads as NaN and the check fails, showing
    the bug. With the arguments in the kernel's order the transpose is exact."""
    func = SourceModule(BIG_BLOCK_TRANSPOSE).get_function("transpose")
    func.prepare("PPii", block=(16, 16, 1))
    size = 64
    source = gpuarray.to_gpu(np.random.rand(size, size).astype(np.float32))
    result = gpuarray.empty((size, size), dtype=source.dtype)
    func.prepared_call((size // 32, size // 32), result.gpudata, source.gpudata, size, size)
    assert np.isnan(source.get()).all() and not np.array_equal(source.get().T, result.get())
    host = np.random.rand(size, size).astype(np.float32)
    source, result = gpuarray.to_gpu(host), gpuarray.empty((size, size), dtype=np.float32)
    start, stop = cuda.Event(), cuda.Event()
    cuda.Context.synchronize()
    start.record()
    func.prepared_call((size // 32, size // 32), source.gpudata, result.gpudata, size, size)
    stop.record()
    stop.synchronize()
    assert stop.time_since(start) > 0
    assert np.array_equal(host.T, result.get())


SELECT_TO_LIST = """
#define BLOCK_SIZE %(block_size)d
__global__ void select_them(float *a, int *selec, float limit, int *counter)
{
    __shared__ int selec_smem[BLOCK_SIZE];
    __shared__ int counter_smem;
    __shared__ int *counter_smem_ptr;
    int idx = blockIdx.x * BLOCK_SIZE + threadIdx.x;
    if (threadIdx.x == 1)
    {
        counter_smem_ptr = &counter_smem;
        counter_smem = 0;
    }
    selec_smem[threadIdx.x] = -1;
    __syncthreads();
    if (a[idx] >= limit)
        selec_smem[atomicAdd(counter_smem_ptr, 1)] = idx;
    __syncthreads();
    if (threadIdx.x == 1)
        counter_smem = atomicAdd(counter, counter_smem);
    __syncthreads();
    if (selec_smem[threadIdx.x] >= 0)
        selec[counter_smem + threadIdx.x] = selec_smem[threadIdx.x];
}
"""


def select_to_list_kernel(block_size=128):
    """The example's compaction kernel: indices above a limit, in atomic-slot order."""
    return SourceModule(SELECT_TO_LIST % {"block_size": block_size}).get_function("select_them")


def test_select_to_list():
    block_size, amount, limit = 128, 128 * 40, 0.9
    a = np.random.default_rng(5).random(amount).astype(np.float32)
    a_gpu = gpuarray.to_gpu(a)
    selec = np.full(amount, -1, np.int32)
    selec_gpu = gpuarray.to_gpu(selec)
    counter_gpu = cuda.mem_alloc(4)
    cuda.memcpy_htod(counter_gpu, np.zeros(1, np.int32))
    func = select_to_list_kernel(block_size)
    func.prepare("PPfP", block=(block_size, 1, 1))
    func.prepared_call((amount // block_size, 1), a_gpu.gpudata, selec_gpu.gpudata, limit, counter_gpu)
    selec_gpu.get(selec)
    assert sorted(x for x in selec if x != -1) == [i for i, x in enumerate(a) if x >= np.float32(limit)]


def test_fill_gpu_with_nans():
    free_bytes, total_bytes = cuda.mem_get_info()
    assert 0 < free_bytes <= total_bytes
    ary = gpuarray.empty((1 << 16,), dtype=np.float32)   # the example fills all free memory
    ary.fill(float("nan"))
    assert np.isnan(ary.get()).all()



def test_select_to_list_is_an_order_free_compaction():
    """Its output order depends on the schedule by design; compared as a multiset it is
    deterministic."""
    block_size, amount = 128, 128 * 8
    a_gpu = gpuarray.to_gpu(np.random.default_rng(6).random(amount).astype(np.float32))
    func = select_to_list_kernel(block_size)

    def check(**options):
        selec_gpu = gpuarray.to_gpu(np.full(amount, -1, np.int32))
        counter_gpu = gpuarray.zeros(1, np.int32)
        return cuda.check_determinism(func, a_gpu, selec_gpu, np.float32(0.9), counter_gpu,
                                      grid=(amount // block_size, 1), block=(block_size, 1, 1), **options)
    assert [d.param_name for d in check().differences] == ["selec"]
    assert check(unordered=["selec"]).identical
