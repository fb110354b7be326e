// Static and dynamic shared memory.

// A namespace-scope dynamic array: aliases every other one, as in CUDA.
extern __shared__ float scope_level[];

template <int TILE>
__global__ void tiled_transpose(const float* in, float* out, int rows, int cols) {
    __shared__ float tile[TILE][TILE + 1];
    const int x = blockIdx.x * TILE + threadIdx.x, y = blockIdx.y * TILE + threadIdx.y;
    if (x < cols && y < rows) tile[threadIdx.y][threadIdx.x] = in[y * cols + x];
    __syncthreads();
    const int tx = blockIdx.y * TILE + threadIdx.x, ty = blockIdx.x * TILE + threadIdx.y;
    if (tx < rows && ty < cols) out[ty * rows + tx] = tile[threadIdx.x][threadIdx.y];
}

// A second kernel of the module with its own static array.
extern "C" __global__ void block_sum(const int* in, int* out) {
    __shared__ int partial[256];
    partial[threadIdx.x] = in[blockIdx.x * blockDim.x + threadIdx.x];
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = partial[0];
}

extern "C" __global__ void reverse_float(const float* in, float* out) {
    extern __shared__ float values[];
    const int base = blockIdx.x * blockDim.x;
    values[threadIdx.x] = in[base + threadIdx.x];
    __syncthreads();
    out[base + threadIdx.x] = values[blockDim.x - 1 - threadIdx.x];
}

extern "C" __global__ void reverse_int(const int* in, int* out) {
    extern __shared__ int ints[];
    ints[threadIdx.x] = in[threadIdx.x];
    __syncthreads();
    out[threadIdx.x] = ints[blockDim.x - 1 - threadIdx.x];
}

extern "C" __global__ void reverse_float4(const float4* in, float4* out) {
    extern __shared__ __align__(16) float4 quads[];
    quads[threadIdx.x] = in[threadIdx.x];
    __syncthreads();
    out[threadIdx.x] = quads[blockDim.x - 1 - threadIdx.x];
}

// Two extern arrays and the namespace-scope one share the same bytes.
extern "C" __global__ void aliased_dynamic(float* out, int* bits, float* scoped) {
    extern __shared__ float as_float[];
    extern __shared__ int as_int[];
    as_float[threadIdx.x] = 1.5f * threadIdx.x;
    __syncthreads();
    bits[threadIdx.x] = as_int[threadIdx.x];
    out[threadIdx.x] = __int_as_float(as_int[threadIdx.x]);
    scoped[threadIdx.x] = scope_level[threadIdx.x];
}

// Only block 0 writes the tile; every block reads it: other blocks read uninitialised memory.
extern "C" __global__ void stale_shared(float* out) {
    __shared__ float tile[64];
    if (blockIdx.x == 0) tile[threadIdx.x] = 42.0f;
    __syncthreads();
    out[blockIdx.x * blockDim.x + threadIdx.x] = tile[threadIdx.x];
}

extern "C" __global__ void dynamic_overrun(float* out) {
    extern __shared__ float scratch[];
    scratch[threadIdx.x] = threadIdx.x;  // OVERRUN
    __syncthreads();
    out[threadIdx.x] = scratch[threadIdx.x];
}

// Over sm_90's 48 KiB of static shared memory: ptxas refuses it, the emulator must too.
#ifdef __WARPBENCH_EMU__
extern "C" __global__ void big_static_shared(float* out) {
    __shared__ float huge[13 * 1024];
    huge[threadIdx.x] = 1.0f;
    out[threadIdx.x] = huge[threadIdx.x];
}
#endif
