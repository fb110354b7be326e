// Row softmax, log-softmax and cross-entropy over a rows x cols row-major matrix.
//
// Numerically stable without an extra pass: one read of the row keeps, per thread, the running
// maximum m and the sum of exp(v - m), rescaling the sum whenever the maximum grows ("online
// softmax", Milakov & Gimelshein 2018). Threads then combine their (m, sum) pairs and a second
// pass writes exp(v - max) / sum, or v - max - log(sum).
//
// warp_row: one warp per row; the second pass re-reads the row, which is still in L1 for the
// rows these kernels are meant for (class scores, vocabularies: up to a few thousand columns).
// block_row: one block per row for long rows; the row is kept in dynamic shared memory between
// the two passes when it fits in ROW_CACHE_KB, so x is read from DRAM once. Each thread reads
// back exactly the elements it stored, so the cache needs no barrier.
// Both take 16-byte vector loads when cols is a multiple of the vector width and the buffers
// are aligned, and scalar loads otherwise.
#include "reduce.cuh"

// Rows (warps) per block of the warp kernels.
#ifndef BLOCK_ROWS
#define BLOCK_ROWS 8
#endif
// Threads per block of the block-per-row kernels.
#ifndef BLOCK
#define BLOCK 256
#endif
// Rows up to this many KiB stay in shared memory between the passes (0: always re-read x).
#ifndef ROW_CACHE_KB
#define ROW_CACHE_KB 96
#endif

template <typename T>
struct RowStats {
    T max = -INFINITY;
    T sum = 0;  // sum of exp(v - max) over the values seen

    __device__ __forceinline__ void add(T v) {
        if (v > max) {
            sum = sum * exp_(max - v) + T(1);
            max = v;
        } else {
            sum += exp_(v - max);
        }
    }

    // This thread's sum rescaled to the row maximum (a thread that saw nothing adds 0).
    __device__ __forceinline__ T sum_at(T row_max) const {
        return max == -INFINITY ? T(0) : sum * exp_(max - row_max);
    }
};

// First pass over row[0:cols) in W-wide packs, starting at pack `first`, every `stride` packs;
// a non-null `cache` receives a copy of what this thread read.
template <int W, typename T>
__device__ __forceinline__ RowStats<T> row_stats(const T* row, T* cache, long long cols, int first,
                                                 int stride) {
    RowStats<T> stats;
#pragma unroll 4
    for (long long j = (long long)first * W; j < cols; j += (long long)stride * W) {
        Pack<T, W> p = load_pack<W>(row + j);
        if (cache)
            store_pack<W>(cache + j, p);
#pragma unroll
        for (int k = 0; k < W; ++k)
            stats.add(p.v[k]);
    }
    return stats;
}

// Second pass: out = exp(v - max) / sum, or v - max - log(sum) for LOG.
template <bool LOG, int W, typename T>
__device__ __forceinline__ void write_softmax(T* out, const T* src, long long cols, int first, int stride,
                                              T row_max, T row_sum) {
    T scale = LOG ? log_(row_sum) : T(1) / row_sum;
#pragma unroll 4
    for (long long j = (long long)first * W; j < cols; j += (long long)stride * W) {
        Pack<T, W> p = load_pack<W>(src + j);
#pragma unroll
        for (int k = 0; k < W; ++k)
            p.v[k] = LOG ? p.v[k] - row_max - scale : exp_(p.v[k] - row_max) * scale;
        store_pack<W>(out + j, p);
    }
}

// The row's maximum and sum of exp(v - max), in every lane of the row's warp.
template <int W, typename T>
__device__ __forceinline__ void warp_row_stats(const T* row, long long cols, T& row_max, T& row_sum) {
    RowStats<T> stats = row_stats<W>(row, (T*)nullptr, cols, threadIdx.x, 32);
    row_max = warp_max(stats.max);
    row_sum = warp_sum(stats.sum_at(row_max));
}

template <bool LOG, int W, typename T>
__device__ __forceinline__ void softmax_warp_rows(T* out, const T* x, int rows, int cols) {
    long long row = (long long)blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= rows)
        return;
    T row_max, row_sum;
    warp_row_stats<W>(x + row * cols, cols, row_max, row_sum);
    write_softmax<LOG, W>(out + row * cols, x + row * cols, cols, threadIdx.x, 32, row_max, row_sum);
}

template <bool LOG, int W, typename T>
__device__ __forceinline__ void softmax_block_rows(T* out, const T* x, int rows, int cols, T* scratch) {
    extern __shared__ float4 row_cache[];
    if (blockIdx.x >= rows)
        return;
    const T* row = x + (long long)blockIdx.x * cols;
    bool cached = (long long)cols * sizeof(T) <= ROW_CACHE_KB * 1024LL;
    T* cache = cached ? reinterpret_cast<T*>(row_cache) : nullptr;
    RowStats<T> stats = row_stats<W>(row, cache, cols, threadIdx.x, blockDim.x);
    T row_max = block_reduce<Max<T>>(stats.max, scratch);
    T row_sum = block_reduce<Sum<T>>(stats.sum_at(row_max), scratch);
    write_softmax<LOG, W>(out + (long long)blockIdx.x * cols, cached ? cache : row, cols, threadIdx.x,
                          blockDim.x, row_max, row_sum);
}

// Block (32, BLOCK_ROWS), one row per warp; grid ceil(rows / BLOCK_ROWS).
template <bool LOG, typename T>
__device__ __forceinline__ void softmax_warp(T* out, const T* x, int rows, int cols) {
    constexpr int V = VEC_WIDTH<T>;
    if (packs_fit<V>(x, cols) && packs_fit<V>(out, cols))
        softmax_warp_rows<LOG, V>(out, x, rows, cols);
    else
        softmax_warp_rows<LOG, 1>(out, x, rows, cols);
}

// Block BLOCK threads (a multiple of 32), one row per block; grid = rows; dynamic shared
// memory cols * sizeof(T) when the row is cached, else 0.
template <bool LOG, typename T>
__device__ __forceinline__ void softmax_block(T* out, const T* x, int rows, int cols) {
    constexpr int V = VEC_WIDTH<T>;
    __shared__ T scratch[32];
    if (packs_fit<V>(x, cols) && packs_fit<V>(out, cols))
        softmax_block_rows<LOG, V>(out, x, rows, cols, scratch);
    else
        softmax_block_rows<LOG, 1>(out, x, rows, cols, scratch);
}

extern "C" __global__ void softmax_warp_row(float* __restrict__ out, const float* __restrict__ x, int rows,
                                            int cols) {
    softmax_warp<false>(out, x, rows, cols);
}

extern "C" __global__ void softmax_block_row(float* __restrict__ out, const float* __restrict__ x, int rows,
                                             int cols) {
    softmax_block<false>(out, x, rows, cols);
}

extern "C" __global__ void softmax_block_row_f64(double* __restrict__ out, const double* __restrict__ x,
                                                 int rows, int cols) {
    softmax_block<false>(out, x, rows, cols);
}

extern "C" __global__ void log_softmax_warp_row(float* __restrict__ out, const float* __restrict__ x, int rows,
                                                int cols) {
    softmax_warp<true>(out, x, rows, cols);
}

extern "C" __global__ void log_softmax_block_row(float* __restrict__ out, const float* __restrict__ x, int rows,
                                                 int cols) {
    softmax_block<true>(out, x, rows, cols);
}

extern "C" __global__ void log_softmax_block_row_f64(double* __restrict__ out, const double* __restrict__ x,
                                                     int rows, int cols) {
    softmax_block<true>(out, x, rows, cols);
}

// loss[r] = log(sum_j exp(x[r, j])) - x[r, labels[r]], one warp per row. Labels are checked
// on the host; a label outside [0, cols) that reaches the kernel anyway gives NaN instead of
// reading out of bounds.
template <typename T>
__device__ __forceinline__ void cross_entropy_warp(T* loss, const T* logits, const int* labels, int rows,
                                                   int cols) {
    constexpr int V = VEC_WIDTH<T>;
    long long row = (long long)blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= rows)
        return;
    const T* x = logits + row * cols;
    T row_max, row_sum;
    if (packs_fit<V>(logits, cols))
        warp_row_stats<V>(x, cols, row_max, row_sum);
    else
        warp_row_stats<1>(x, cols, row_max, row_sum);
    if (threadIdx.x == 0) {
        int label = labels[row];
        // max - x[label] first, so large logits cancel before log(sum) is added.
        loss[row] = label >= 0 && label < cols ? row_max - x[label] + log_(row_sum) : T(NAN);
    }
}

extern "C" __global__ void cross_entropy_warp_row(float* __restrict__ loss, const float* __restrict__ logits,
                                                  const int* __restrict__ labels, int rows, int cols) {
    cross_entropy_warp(loss, logits, labels, rows, cols);
}

extern "C" __global__ void cross_entropy_warp_row_f64(double* __restrict__ loss,
                                                      const double* __restrict__ logits,
                                                      const int* __restrict__ labels, int rows, int cols) {
    cross_entropy_warp(loss, logits, labels, rows, cols);
}
