// Sum and max of a rows x cols row-major matrix along an axis, and argmax over rows.
//
// axis 1 (out has rows entries): one warp per row, lanes striding along it, then a shuffle
// reduction. axis 0 (out has cols entries): column tiles, a block of (32, BLOCK_ROWS) threads
// per 32 columns, each warp walking a slice of the rows so that every load is coalesced.
// Both use 16-byte vector loads when cols is a multiple of the vector width and x is
// aligned, scalar loads otherwise. A block of (32, BLOCK_ROWS) threads serves both axes:
// grid ceil(rows / BLOCK_ROWS) for axis 1, ceil(cols / 32) for axis 0.
// Axis 0 puts one block on every 32 columns, so a matrix with few columns uses few SMs.
#include "reduce.cuh"

#ifndef BLOCK_ROWS
#define BLOCK_ROWS 8
#endif

template <typename Op, int W>
__device__ __forceinline__ void reduce_rows(typename Op::type* out, const typename Op::type* x, int rows,
                                            int cols) {
    long long row = (long long)blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= rows)
        return;
    const typename Op::type* r = x + row * cols;
    auto total = warp_reduce_row<Op, W>(cols, threadIdx.x, [&](long long j) { return load_pack<W>(r + j); });
    if (threadIdx.x == 0)
        out[row] = total;
}

template <typename Op, int W>
__device__ __forceinline__ void reduce_columns(typename Op::type* out, const typename Op::type* x, int rows,
                                               int cols, typename Op::type* partial) {
    typename Op::type total;
    long long column;
    if (column_tile_reduce<Op, W>(rows, cols, partial, [&](long long i, long long c) {
            return load_pack<W>(x + i * cols + c);
        }, total, column))
        out[column] = total;
}

template <typename Op>
__device__ __forceinline__ void reduce_axis(typename Op::type* out, const typename Op::type* x, int rows,
                                            int cols, int axis) {
    using T = typename Op::type;
    constexpr int V = VEC_WIDTH<T>;
    __shared__ T partial[BLOCK_ROWS * 32];
    bool vec = packs_fit<V>(x, cols);
    if (axis == 0) {
        if (vec)
            reduce_columns<Op, V>(out, x, rows, cols, partial);
        else
            reduce_columns<Op, 1>(out, x, rows, cols, partial);
    } else {
        if (vec)
            reduce_rows<Op, V>(out, x, rows, cols);
        else
            reduce_rows<Op, 1>(out, x, rows, cols);
    }
}

extern "C" __global__ void reduce_sum(float* __restrict__ out, const float* __restrict__ x, int rows, int cols,
                                      int axis) {
    reduce_axis<Sum<float>>(out, x, rows, cols, axis);
}

extern "C" __global__ void reduce_sum_f64(double* __restrict__ out, const double* __restrict__ x, int rows,
                                          int cols, int axis) {
    reduce_axis<Sum<double>>(out, x, rows, cols, axis);
}

extern "C" __global__ void reduce_max(float* __restrict__ out, const float* __restrict__ x, int rows, int cols,
                                      int axis) {
    reduce_axis<Max<float>>(out, x, rows, cols, axis);
}

extern "C" __global__ void reduce_max_f64(double* __restrict__ out, const double* __restrict__ x, int rows,
                                          int cols, int axis) {
    reduce_axis<Max<double>>(out, x, rows, cols, axis);
}

// Index of the first maximum of each row (numpy.argmax semantics for NaN-free rows), one
// warp per row, block (32, BLOCK_ROWS).
template <int W, typename T>
__device__ __forceinline__ void argmax_rows(int* out, const T* x, int rows, int cols) {
    long long row = (long long)blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= rows)
        return;
    int at = warp_argmax_row<W>(x + row * cols, cols, threadIdx.x);
    if (threadIdx.x == 0)
        out[row] = at;
}

template <typename T>
__device__ __forceinline__ void argmax_warp(int* out, const T* x, int rows, int cols) {
    constexpr int V = VEC_WIDTH<T>;
    if (packs_fit<V>(x, cols))
        argmax_rows<V>(out, x, rows, cols);
    else
        argmax_rows<1>(out, x, rows, cols);
}

extern "C" __global__ void argmax_warp_row(int* __restrict__ out, const float* __restrict__ x, int rows,
                                           int cols) {
    argmax_warp(out, x, rows, cols);
}

extern "C" __global__ void argmax_warp_row_f64(int* __restrict__ out, const double* __restrict__ x, int rows,
                                               int cols) {
    argmax_warp(out, x, rows, cols);
}
