// Pooling over NCHW tensors without padding: max and average over k x k windows moved by
// `stride` (out (N, C, P, Q), P = (H - k) / stride + 1, Q likewise), and the global average
// over each H x W plane (out (N, C)).
#include "reduce.cuh"

// Warps (planes) per block of the global average pool.
#ifndef BLOCK_ROWS
#define BLOCK_ROWS 8
#endif

// One thread per output element, grid-stride. Neighbouring threads take neighbouring output
// columns, so their windows start `stride` elements apart: loads are coalesced for small
// strides and served from L1 where windows overlap. The window lies inside the plane by the
// definition of P and Q, so only the output index needs a bound.
template <bool MAX, typename T>
__device__ __forceinline__ void pool2d(T* __restrict__ out, const T* __restrict__ x, int N, int C, int H, int W,
                                       int k, int stride, int P, int Q) {
    long long total = (long long)N * C * P * Q;
    for (long long i = global_thread_index(); i < total; i += grid_stride()) {
        long long q = i % Q, p = (i / Q) % P, plane = i / ((long long)P * Q);
        const T* window = x + plane * H * W + p * stride * W + q * stride;
        T acc = MAX ? window[0] : T(0);
        for (int r = 0; r < k; ++r)
            for (int s = 0; s < k; ++s)
                acc = MAX ? fmax(acc, window[r * W + s]) : acc + window[r * W + s];
        out[i] = MAX ? acc : acc / T(k * k);
    }
}

extern "C" __global__ void maxpool2d(float* __restrict__ out, const float* __restrict__ x,
                                     int N, int C, int H, int W, int k, int stride, int P, int Q) {
    pool2d<true>(out, x, N, C, H, W, k, stride, P, Q);
}

extern "C" __global__ void maxpool2d_f64(double* __restrict__ out, const double* __restrict__ x,
                                         int N, int C, int H, int W, int k, int stride, int P, int Q) {
    pool2d<true>(out, x, N, C, H, W, k, stride, P, Q);
}

extern "C" __global__ void avgpool2d(float* __restrict__ out, const float* __restrict__ x,
                                     int N, int C, int H, int W, int k, int stride, int P, int Q) {
    pool2d<false>(out, x, N, C, H, W, k, stride, P, Q);
}

extern "C" __global__ void avgpool2d_f64(double* __restrict__ out, const double* __restrict__ x,
                                         int N, int C, int H, int W, int k, int stride, int P, int Q) {
    pool2d<false>(out, x, N, C, H, W, k, stride, P, Q);
}

// Mean of each H x W plane: a row reduction of the (N*C) x (H*W) view, one warp per plane,
// block (32, BLOCK_ROWS).
template <int V, typename T>
__device__ __forceinline__ void plane_means(T* __restrict__ out, const T* __restrict__ x, long long planes,
                                            long long size) {
    long long plane = (long long)blockIdx.x * blockDim.y + threadIdx.y;
    if (plane >= planes)
        return;
    const T* p = x + plane * size;
    T total = warp_reduce_row<Sum<T>, V>(size, threadIdx.x, [&](long long j) { return load_pack<V>(p + j); });
    if (threadIdx.x == 0)
        out[plane] = total / T(size);
}

template <typename T>
__device__ __forceinline__ void global_avgpool(T* __restrict__ out, const T* __restrict__ x,
                                               int N, int C, int H, int W) {
    constexpr int V = VEC_WIDTH<T>;
    long long planes = (long long)N * C, size = (long long)H * W;
    if (packs_fit<V>(x, size))
        plane_means<V>(out, x, planes, size);
    else
        plane_means<1>(out, x, planes, size);
}

extern "C" __global__ void global_avgpool_warp(float* __restrict__ out, const float* __restrict__ x,
                                               int N, int C, int H, int W) {
    global_avgpool(out, x, N, C, H, W);
}

extern "C" __global__ void global_avgpool_warp_f64(double* __restrict__ out, const double* __restrict__ x,
                                                   int N, int C, int H, int W) {
    global_avgpool(out, x, N, C, H, W);
}
