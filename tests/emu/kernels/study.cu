// The book's transpose study (32x32 tile, 8 rows, float32) and two GEMMs, for the
// instrumented build's exact memory metrics (test_instrument_metrics.py).
#define TILE 32
#define ROWS 8

extern "C" __global__ void copy_tile(float* out, const float* in, int n) {
    int x = blockIdx.x * TILE + threadIdx.x, y = blockIdx.y * TILE + threadIdx.y;
    for (int j = 0; j < TILE; j += ROWS) out[(y + j) * n + x] = in[(y + j) * n + x];
}

extern "C" __global__ void transpose_naive(float* out, const float* in, int n) {
    int x = blockIdx.x * TILE + threadIdx.x, y = blockIdx.y * TILE + threadIdx.y;
    for (int j = 0; j < TILE; j += ROWS) out[x * n + (y + j)] = in[(y + j) * n + x];
}

template <int PAD>
__device__ void transpose_tiled(float* out, const float* in, int n) {
    __shared__ float tile[TILE][TILE + PAD];
    int x = blockIdx.x * TILE + threadIdx.x, y = blockIdx.y * TILE + threadIdx.y;
    for (int j = 0; j < TILE; j += ROWS) tile[threadIdx.y + j][threadIdx.x] = in[(y + j) * n + x];
#ifndef MISSING_BARRIER
    __syncthreads();
#endif
    x = blockIdx.y * TILE + threadIdx.x;
    y = blockIdx.x * TILE + threadIdx.y;
    for (int j = 0; j < TILE; j += ROWS) out[(y + j) * n + x] = tile[threadIdx.x][threadIdx.y + j];
}

extern "C" __global__ void transpose_coalesced(float* out, const float* in, int n) { transpose_tiled<0>(out, in, n); }
extern "C" __global__ void transpose_padded(float* out, const float* in, int n) { transpose_tiled<1>(out, in, n); }

// One thread per C element, threadIdx.x along columns: A's element is the same for the warp
// (1 sector), B's row is contiguous (4 sectors), C's store contiguous (4 sectors).
extern "C" __global__ void gemm_naive(const float* a, const float* b, float* c, int n) {
    int col = blockIdx.x * blockDim.x + threadIdx.x, row = blockIdx.y * blockDim.y + threadIdx.y;
    float sum = 0.0f;
    for (int k = 0; k < n; ++k) sum += a[row * n + k] * b[k * n + col];
    c[row * n + col] = sum;
}

// 32x32 shared tiles, 32x32 threads: loads and the store 4 sectors/request, As[ty][k] one
// word for the warp (broadcast), Bs[k][tx] 32 banks: no bank conflict.
extern "C" __global__ void gemm_tiled(const float* a, const float* b, float* c, int n) {
    __shared__ float as[TILE][TILE], bs[TILE][TILE];
    int tx = threadIdx.x, ty = threadIdx.y;
    int col = blockIdx.x * TILE + tx, row = blockIdx.y * TILE + ty;
    float sum = 0.0f;
    for (int t = 0; t < n; t += TILE) {
        as[ty][tx] = a[row * n + t + tx];
        bs[ty][tx] = b[(t + ty) * n + col];
        __syncthreads();
        for (int k = 0; k < TILE; ++k) sum += as[ty][k] * bs[k][tx];
        __syncthreads();
    }
    c[row * n + col] = sum;
}

// Tree reduction in shared memory; MISSING_BARRIER drops the barrier inside the loop.
extern "C" __global__ void reduce_sum(const float* in, float* out) {
    __shared__ float s[256];
    unsigned t = threadIdx.x;
    s[t] = in[blockIdx.x * blockDim.x + t];
    __syncthreads();
    for (unsigned stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (t < stride) s[t] += s[t + stride];
#ifndef MISSING_BARRIER
        __syncthreads();
#endif
    }
    if (t == 0) out[blockIdx.x] = s[0];
}

// float4 copy: each lane moves 16 bytes, so a warp request covers 512 bytes (16 sectors).
extern "C" __global__ void copy_vec4(float4* out, const float4* in) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    out[i] = in[i];
}

// double in shared memory: 8-byte accesses run in two half-warp phases, no conflict.
extern "C" __global__ void stage_double(double* out, const double* in) {
    __shared__ double s[64];
    s[threadIdx.x] = in[threadIdx.x];
    __syncthreads();
    out[threadIdx.x] = s[63 - threadIdx.x];
}
