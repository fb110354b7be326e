// GEMV, y = alpha * op(A) * x + beta * y. A is stored row-major M x N; op(A) is A (y has M
// entries, x has N) or, when trans != 0, A^T (y has N entries, x has M). As in BLAS, beta == 0
// means y is written without being read, so whatever y held (even NaN) does not leak in.
//
// The study: one thread per output (the baseline), one warp per row with a shuffle reduction,
// and the same with 16-byte vector loads. A row of A^T is a column of A, which a warp cannot
// read coalesced, so for trans the warp kernels switch to column tiles: a block owns 32
// adjacent columns and its warps walk different rows (column_tile_reduce in reduce.cuh).
// Vector loads need 16-byte aligned rows: they are used when N is a multiple of the vector
// width and A and x are aligned (cudaMalloc gives 256 bytes); any other shape takes the
// scalar path of the same kernel, so every M, N works.
#include "reduce.cuh"

// Threads per block of the thread-per-output kernel.
#ifndef BLOCK
#define BLOCK 128
#endif
// Warps per block of the warp kernels: rows per block, or row slices of a column tile.
#ifndef BLOCK_ROWS
#define BLOCK_ROWS 8
#endif

template <typename T>
__device__ __forceinline__ void write_y(T* y, long long i, T alpha, T beta, T dot) {
    y[i] = beta == T(0) ? alpha * dot : alpha * dot + beta * y[i];
}

// One thread per output element. Without trans a thread walks a row, so the 32 threads of a
// warp read addresses N elements apart and every warp load touches 32 cache lines: the
// uncoalesced baseline. With trans a thread walks a column and neighbouring threads read
// neighbouring addresses: the coalesced column-parallel kernel, limited by having only N
// threads to hide memory latency with.
template <typename T>
__device__ __forceinline__ void gemv_thread(T* __restrict__ y, const T* __restrict__ A, const T* __restrict__ x,
                                            int M, int N, T alpha, T beta, int trans) {
    long long out = global_thread_index();
    long long outputs = trans ? N : M, length = trans ? M : N;
    if (out >= outputs)
        return;
    const T* a = trans ? A + out : A + out * N;
    long long step = trans ? N : 1;
    T dot = 0;
    for (long long k = 0; k < length; ++k)
        dot += a[k * step] * x[k];
    write_y(y, out, alpha, beta, dot);
}

// One warp per row of A: lanes stride along the row in W-wide packs, then a shuffle reduction.
template <int W, typename T>
__device__ __forceinline__ void gemv_rows(T* __restrict__ y, const T* __restrict__ A, const T* __restrict__ x,
                                          int M, int N, T alpha, T beta) {
    long long row = (long long)blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= M)
        return;
    const T* a = A + row * N;
    T dot = warp_reduce_row<Sum<T>, W>(N, threadIdx.x, [&](long long j) {
        Pack<T, W> p = load_pack<W>(a + j), q = load_pack<W>(x + j);
#pragma unroll
        for (int k = 0; k < W; ++k)
            p.v[k] *= q.v[k];
        return p;
    });
    if (threadIdx.x == 0)
        write_y(y, row, alpha, beta, dot);
}

// A^T x: the block's column tile of A, each row scaled by its x.
template <int W, typename T>
__device__ __forceinline__ void gemv_columns(T* __restrict__ y, const T* __restrict__ A,
                                             const T* __restrict__ x, int M, int N, T alpha, T beta,
                                             T* partial) {
    T dot;
    long long column;
    bool mine = column_tile_reduce<Sum<T>, W>(M, N, partial, [&](long long i, long long c) {
        Pack<T, W> p = load_pack<W>(A + i * N + c);
        T xi = x[i];
#pragma unroll
        for (int k = 0; k < W; ++k)
            p.v[k] *= xi;
        return p;
    }, dot, column);
    if (mine)
        write_y(y, column, alpha, beta, dot);
}

// Warp-per-row (and column tiles for trans) with VEC_WIDTH-wide packs when VEC and the shape
// allows them; block (32, BLOCK_ROWS).
template <bool VEC, typename T>
__device__ __forceinline__ void gemv_warp(T* __restrict__ y, const T* __restrict__ A, const T* __restrict__ x,
                                          int M, int N, T alpha, T beta, int trans) {
    constexpr int V = VEC ? VEC_WIDTH<T> : 1;
    __shared__ T partial[BLOCK_ROWS * 32];
    bool vec = V > 1 && packs_fit<V>(A, N) && (trans || packs_fit<V>(x, N));
    if (trans) {
        if (vec)
            gemv_columns<V>(y, A, x, M, N, alpha, beta, partial);
        else
            gemv_columns<1>(y, A, x, M, N, alpha, beta, partial);
    } else {
        if (vec)
            gemv_rows<V>(y, A, x, M, N, alpha, beta);
        else
            gemv_rows<1>(y, A, x, M, N, alpha, beta);
    }
}

extern "C" __global__ void sgemv_thread_row(float* __restrict__ y, const float* __restrict__ A,
                                            const float* __restrict__ x, int M, int N, float alpha, float beta,
                                            int trans) {
    gemv_thread(y, A, x, M, N, alpha, beta, trans);
}

extern "C" __global__ void sgemv_warp_row(float* __restrict__ y, const float* __restrict__ A,
                                          const float* __restrict__ x, int M, int N, float alpha, float beta,
                                          int trans) {
    gemv_warp<false>(y, A, x, M, N, alpha, beta, trans);
}

extern "C" __global__ void sgemv_vec4_row(float* __restrict__ y, const float* __restrict__ A,
                                          const float* __restrict__ x, int M, int N, float alpha, float beta,
                                          int trans) {
    gemv_warp<true>(y, A, x, M, N, alpha, beta, trans);
}

extern "C" __global__ void dgemv_warp_row(double* __restrict__ y, const double* __restrict__ A,
                                          const double* __restrict__ x, int M, int N, double alpha, double beta,
                                          int trans) {
    gemv_warp<false>(y, A, x, M, N, alpha, beta, trans);
}
