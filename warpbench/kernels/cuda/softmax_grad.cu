// Backward of the row softmax and log-softmax, and the cross-entropy of probabilities with
// integer labels (forward and backward), over rows x cols row-major matrices, float32/float64.
//
// softmax_bwd:     dx = (dy - sum(dy * y)) * y        for y = softmax(x)
// log_softmax_bwd: dx = dy - exp(y) * sum(dy)         for y = log_softmax(x)
// crossentropy_1hot:     loss[i] = -log(p[i, labels[i]])
// crossentropy_1hot_bwd: dp[i, j] = -g[i] / p[i, j] where j == labels[i], else 0
// Labels are int64 and already checked to lie in [0, cols) by the caller (the host).
#include "reduce.cuh"

// Rows (warps) per block of the row kernels.
#ifndef BLOCK_ROWS
#define BLOCK_ROWS 8
#endif
// Threads per block of the elementwise kernels.
#ifndef BLOCK
#define BLOCK 256
#endif

// One warp per row, block (32, BLOCK_ROWS): the lanes stride over the row to sum, a shuffle
// reduction gives every lane the sum, and a second pass (the row is still in L1) writes dx.
template <bool LOG, typename T>
__device__ __forceinline__ void softmax_backward(T* __restrict__ dx, const T* __restrict__ dy,
                                                 const T* __restrict__ y, int rows, int cols) {
    const long long row = (long long)blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= rows)
        return;  // whole warps leave together
    const T* dy_row = dy + row * cols;
    const T* y_row = y + row * cols;
    T total = T(0);
    for (int j = threadIdx.x; j < cols; j += 32)
        total += LOG ? dy_row[j] : dy_row[j] * y_row[j];
    total = warp_sum(total);
    T* dx_row = dx + row * cols;
    for (int j = threadIdx.x; j < cols; j += 32)
        dx_row[j] = LOG ? dy_row[j] - exp_(y_row[j]) * total : (dy_row[j] - total) * y_row[j];
}

extern "C" __global__ void softmax_bwd_warp_row(float* __restrict__ dx, const float* __restrict__ dy,
                                                const float* __restrict__ y, int rows, int cols) {
    softmax_backward<false>(dx, dy, y, rows, cols);
}

extern "C" __global__ void softmax_bwd_warp_row_f64(double* __restrict__ dx, const double* __restrict__ dy,
                                                    const double* __restrict__ y, int rows, int cols) {
    softmax_backward<false>(dx, dy, y, rows, cols);
}

extern "C" __global__ void log_softmax_bwd_warp_row(float* __restrict__ dx, const float* __restrict__ dy,
                                                    const float* __restrict__ y, int rows, int cols) {
    softmax_backward<true>(dx, dy, y, rows, cols);
}

extern "C" __global__ void log_softmax_bwd_warp_row_f64(double* __restrict__ dx, const double* __restrict__ dy,
                                                        const double* __restrict__ y, int rows, int cols) {
    softmax_backward<true>(dx, dy, y, rows, cols);
}

// One thread per row: a gather of one probability.
template <typename T>
__device__ __forceinline__ void crossentropy_forward(T* __restrict__ loss, const T* __restrict__ p,
                                                     const long long* __restrict__ labels, int rows, int cols) {
    const long long i = global_thread_index();
    if (i < rows)
        loss[i] = -log_(p[i * cols + labels[i]]);
}

// One thread per element of dp: zero except at the label, coalesced writes.
template <typename T>
__device__ __forceinline__ void crossentropy_backward(T* __restrict__ dp, const T* __restrict__ g,
                                                      const T* __restrict__ p, const long long* __restrict__ labels,
                                                      int rows, int cols) {
    const long long total = (long long)rows * cols;
    for (long long i = global_thread_index(); i < total; i += grid_stride()) {
        const long long row = i / cols;
        dp[i] = (i % cols == labels[row]) ? -g[row] / p[i] : T(0);
    }
}

extern "C" __global__ void crossentropy_1hot(float* __restrict__ loss, const float* __restrict__ p,
                                             const long long* __restrict__ labels, int rows, int cols) {
    crossentropy_forward(loss, p, labels, rows, cols);
}

extern "C" __global__ void crossentropy_1hot_f64(double* __restrict__ loss, const double* __restrict__ p,
                                                 const long long* __restrict__ labels, int rows, int cols) {
    crossentropy_forward(loss, p, labels, rows, cols);
}

extern "C" __global__ void crossentropy_1hot_bwd(float* __restrict__ dp, const float* __restrict__ g,
                                                 const float* __restrict__ p, const long long* __restrict__ labels,
                                                 int rows, int cols) {
    crossentropy_backward(dp, g, p, labels, rows, cols);
}

extern "C" __global__ void crossentropy_1hot_bwd_f64(double* __restrict__ dp, const double* __restrict__ g,
                                                     const double* __restrict__ p,
                                                     const long long* __restrict__ labels, int rows, int cols) {
    crossentropy_backward(dp, g, p, labels, rows, cols);
}

// dx[i, j] = g[i] * (softmax(x)[i, j] - (j == labels[i])): the gradient of the fused
// cross-entropy of softmax(x) (Theano's crossentropy_softmax_1hot), finite however
// confident the row. One warp per row: row maximum, then sum of exp(x - max), then dx.
template <typename T>
__device__ __forceinline__ void crossentropy_softmax_backward(T* __restrict__ dx, const T* __restrict__ g,
                                                              const T* __restrict__ x,
                                                              const long long* __restrict__ labels, int rows,
                                                              int cols) {
    const long long row = (long long)blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= rows)
        return;  // whole warps leave together
    const T* x_row = x + row * cols;
    T top = -INFINITY;
    for (int j = threadIdx.x; j < cols; j += 32)
        top = fmax(top, x_row[j]);
    top = warp_max(top);
    T total = T(0);
    for (int j = threadIdx.x; j < cols; j += 32)
        total += exp_(x_row[j] - top);
    total = warp_sum(total);
    const T scale = g[row] / total;
    const long long label = labels[row];
    T* dx_row = dx + row * cols;
    for (int j = threadIdx.x; j < cols; j += 32)
        dx_row[j] = exp_(x_row[j] - top) * scale - (j == label ? g[row] : T(0));
}

extern "C" __global__ void crossentropy_softmax_bwd_warp_row(float* __restrict__ dx, const float* __restrict__ g,
                                                             const float* __restrict__ x,
                                                             const long long* __restrict__ labels, int rows,
                                                             int cols) {
    crossentropy_softmax_backward(dx, g, x, labels, rows, cols);
}

extern "C" __global__ void crossentropy_softmax_bwd_warp_row_f64(double* __restrict__ dx,
                                                                 const double* __restrict__ g,
                                                                 const double* __restrict__ x,
                                                                 const long long* __restrict__ labels, int rows,
                                                                 int cols) {
    crossentropy_softmax_backward(dx, g, x, labels, rows, cols);
}
