// Gradients of the axis reductions of reduce.cu for a rows x cols row-major matrix x, given
// dy, the gradient of the reduced vector (cols entries for axis 0, rows for axis 1).
//
// sum and mean: dx[r, c] = scale * dy[c] (axis 0) or scale * dy[r] (axis 1), scale = 1 for
// a sum and 1 / (length of the axis) for a mean; a 2-D grid of blocks over dx, threads along
// a row so that stores are coalesced, rows grid-stride.
// max: dy goes to the first maximum of each reduced line (numpy.argmax), zeros elsewhere; the
// search is reduce.cu's, by a warp per row (axis 1) or a block per 32 columns (axis 0), and
// the same threads then write the whole line of dx.
#include "reduce.cuh"

#ifndef BLOCK_ROWS
#define BLOCK_ROWS 8
#endif

template <typename T>
__device__ __forceinline__ void broadcast_axis(T* __restrict__ dx, const T* __restrict__ dy, long long rows,
                                               long long cols, int axis, T scale) {
    long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols)
        return;
    T column_value = axis == 0 ? scale * dy[c] : T(0);
    for (long long r = (long long)blockIdx.y * blockDim.y + threadIdx.y; r < rows;
         r += (long long)gridDim.y * blockDim.y)
        dx[r * cols + c] = axis == 0 ? column_value : scale * dy[r];
}

template <int W, typename T>
__device__ __forceinline__ void route_rows(T* dx, const T* x, const T* dy, int rows, int cols) {
    long long row = (long long)blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= rows)
        return;
    int at = warp_argmax_row<W>(x + row * cols, cols, threadIdx.x);
    T g = dy[row];
    T* line = dx + row * cols;
    for (int j = threadIdx.x; j < cols; j += 32)
        line[j] = j == at ? g : T(0);
}

// The block's 32 columns: column_tile_reduce finds each one's first maximum (scalar loads,
// as a value travels with its row index), warp 0 shares them, and every warp writes a slice
// of the rows.
template <typename T>
__device__ __forceinline__ void route_columns(T* dx, const T* x, const T* dy, int rows, int cols,
                                              Located<T>* partial) {
    __shared__ int first_max[32];
    Located<T> best;
    long long column;
    if (column_tile_reduce<ArgMax<T>, 1>(rows, cols, partial, [&](long long i, long long c) {
            return Pack<Located<T>, 1>{{{x[i * cols + c], (int)i}}};
        }, best, column))
        first_max[threadIdx.x] = best.index;
    __syncthreads();
    long long c = (long long)blockIdx.x * 32 + threadIdx.x;
    if (c >= cols)
        return;
    T g = dy[c];
    int at = first_max[threadIdx.x];
    for (long long i = threadIdx.y; i < rows; i += blockDim.y)
        dx[i * cols + c] = i == at ? g : T(0);
}

template <typename T>
__device__ __forceinline__ void route_to_max(T* dx, const T* x, const T* dy, int rows, int cols, int axis) {
    __shared__ Located<T> partial[BLOCK_ROWS * 32];
    if (axis == 0)
        route_columns(dx, x, dy, rows, cols, partial);
    else if (packs_fit<VEC_WIDTH<T>>(x, cols))
        route_rows<VEC_WIDTH<T>>(dx, x, dy, rows, cols);
    else
        route_rows<1>(dx, x, dy, rows, cols);
}

extern "C" __global__ void reduce_sum_grad(float* __restrict__ dx, const float* __restrict__ dy, int rows,
                                           int cols, int axis, float scale) {
    broadcast_axis(dx, dy, rows, cols, axis, scale);
}

extern "C" __global__ void reduce_sum_grad_f64(double* __restrict__ dx, const double* __restrict__ dy, int rows,
                                               int cols, int axis, double scale) {
    broadcast_axis(dx, dy, rows, cols, axis, scale);
}

extern "C" __global__ void reduce_max_grad(float* __restrict__ dx, const float* __restrict__ x,
                                           const float* __restrict__ dy, int rows, int cols, int axis) {
    route_to_max(dx, x, dy, rows, cols, axis);
}

extern "C" __global__ void reduce_max_grad_f64(double* __restrict__ dx, const double* __restrict__ x,
                                               const double* __restrict__ dy, int rows, int cols, int axis) {
    route_to_max(dx, x, dy, rows, cols, axis);
}
