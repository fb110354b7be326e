// conv2d backward, NCHW, float32 and float64: the gradient w.r.t. the input (bwd data) and
// w.r.t. the filters (bwd filter) of out = conv2d(x, w), given g = d cost / d out.
//
// x (N,C,H,W), w (K,C,R,S), g (N,K,P,Q), contiguous row-major, with the forward's geometry
// (P = (H + 2*pad_h - dil_h*(R-1) - 1) / stride_h + 1, Q likewise): any sizes, strides,
// paddings and dilations.
#include "common.cuh"

// Threads per block of the bwd-data kernel.
#ifndef BLOCK
#define BLOCK 256
#endif
// Warps (filter elements) per block of the bwd-filter kernel.
#ifndef BLOCK_ROWS
#define BLOCK_ROWS 8
#endif

// dx[n,c,h,w] = sum over (k, r, s) of g[n,k,p,q] * w[k,c,r,s] for the output pixels (p, q)
// whose window puts tap (r, s) on (h, w): h + pad_h - r*dil_h = p*stride_h. One thread per
// input element, grid-stride; consecutive threads take consecutive w, so dx writes coalesce
// and a warp's weight reads are broadcasts. Each dx element has one writer: no atomics.
template <typename T>
__device__ __forceinline__ void conv2d_bwd_data(T* __restrict__ dx, const T* __restrict__ g,
                                                const T* __restrict__ w, int N, int C, int H, int W, int K,
                                                int R, int S, int P, int Q, int stride_h, int stride_w,
                                                int pad_h, int pad_w, int dil_h, int dil_w) {
    const long long total = (long long)N * C * H * W;
    for (long long i = global_thread_index(); i < total; i += grid_stride()) {
        const int x_w = (int)(i % W), x_h = (int)((i / W) % H), c = (int)((i / ((long long)H * W)) % C);
        const int n = (int)(i / ((long long)C * H * W));
        T acc = T(0);
        for (int r = 0; r < R; ++r) {
            const int hp = x_h + pad_h - r * dil_h;
            if (hp < 0 || hp % stride_h != 0 || hp / stride_h >= P)
                continue;
            const int p = hp / stride_h;
            for (int s = 0; s < S; ++s) {
                const int wq = x_w + pad_w - s * dil_w;
                if (wq < 0 || wq % stride_w != 0 || wq / stride_w >= Q)
                    continue;
                const int q = wq / stride_w;
                const T* gp = g + (((long long)n * K) * P + p) * Q + q;
                const T* wp = w + ((long long)c * R + r) * S + s;
                for (int k = 0; k < K; ++k)
                    acc += gp[(long long)k * P * Q] * wp[(long long)k * C * R * S];
            }
        }
        dx[i] = acc;
    }
}

// dw[k,c,r,s] = sum over (n, p, q) of g[n,k,p,q] * x[n, c, p*stride_h - pad_h + r*dil_h,
// q*stride_w - pad_w + s*dil_w] (zero outside the plane). One warp per filter element, block
// (32, BLOCK_ROWS): the lanes walk the N*P*Q output pixels (consecutive lanes, consecutive q:
// coalesced g reads) and a shuffle reduction sums them. One writer per dw element.
template <typename T>
__device__ __forceinline__ void conv2d_bwd_filter(T* __restrict__ dw, const T* __restrict__ g,
                                                  const T* __restrict__ x, int N, int C, int H, int W, int K,
                                                  int R, int S, int P, int Q, int stride_h, int stride_w,
                                                  int pad_h, int pad_w, int dil_h, int dil_w) {
    const long long index = (long long)blockIdx.x * blockDim.y + threadIdx.y;
    if (index >= (long long)K * C * R * S)
        return;  // a whole warp leaves together: the shuffles below see full warps only
    const int s = (int)(index % S), r = (int)((index / S) % R), c = (int)((index / ((long long)R * S)) % C);
    const int k = (int)(index / ((long long)C * R * S));
    const long long pixels = (long long)N * P * Q;
    T acc = T(0);
    for (long long j = threadIdx.x; j < pixels; j += 32) {
        const int q = (int)(j % Q), p = (int)((j / Q) % P), n = (int)(j / ((long long)P * Q));
        const int h = p * stride_h - pad_h + r * dil_h, ww = q * stride_w - pad_w + s * dil_w;
        if (h < 0 || h >= H || ww < 0 || ww >= W)
            continue;
        acc += g[(((long long)n * K + k) * P + p) * Q + q] * x[(((long long)n * C + c) * H + h) * W + ww];
    }
    acc = warp_sum(acc);
    if (threadIdx.x == 0)
        dw[index] = acc;
}

#define CONV_GEOMETRY_PARAMS                                                                       \
    int N, int C, int H, int W, int K, int R, int S, int P, int Q, int stride_h, int stride_w, int pad_h, \
        int pad_w, int dil_h, int dil_w
#define CONV_GEOMETRY_ARGS N, C, H, W, K, R, S, P, Q, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w

extern "C" __global__ __launch_bounds__(BLOCK) void
conv2d_bwd_data_direct(float* __restrict__ dx, const float* __restrict__ g, const float* __restrict__ w,
                       CONV_GEOMETRY_PARAMS) {
    conv2d_bwd_data(dx, g, w, CONV_GEOMETRY_ARGS);
}

extern "C" __global__ __launch_bounds__(BLOCK) void
conv2d_bwd_data_direct_f64(double* __restrict__ dx, const double* __restrict__ g, const double* __restrict__ w,
                           CONV_GEOMETRY_PARAMS) {
    conv2d_bwd_data(dx, g, w, CONV_GEOMETRY_ARGS);
}

extern "C" __global__ void
conv2d_bwd_filter_warp(float* __restrict__ dw, const float* __restrict__ g, const float* __restrict__ x,
                       CONV_GEOMETRY_PARAMS) {
    conv2d_bwd_filter(dw, g, x, CONV_GEOMETRY_ARGS);
}

extern "C" __global__ void
conv2d_bwd_filter_warp_f64(double* __restrict__ dw, const double* __restrict__ g, const double* __restrict__ x,
                           CONV_GEOMETRY_PARAMS) {
    conv2d_bwd_filter(dw, g, x, CONV_GEOMETRY_ARGS);
}

// out[k,c,r,s] = w[k,c,R-1-r,S-1-s]: the filters rotated by 180 degrees, which turns the
// cross-correlation above into Theano's default convolution (filter_flip=True). One thread per
// element, grid-stride; consecutive threads write consecutive s (coalesced), read backwards.
template <typename T>
__device__ __forceinline__ void flip_filters(T* __restrict__ out, const T* __restrict__ w, long long planes,
                                             int R, int S) {
    const long long total = planes * R * S;
    for (long long i = global_thread_index(); i < total; i += grid_stride()) {
        const long long plane = i / ((long long)R * S);
        const int rs = (int)(i % ((long long)R * S));
        out[i] = w[plane * R * S + (R * S - 1 - rs)];
    }
}

extern "C" __global__ void conv2d_flip_filters(float* __restrict__ out, const float* __restrict__ w,
                                               long long planes, int R, int S) {
    flip_filters(out, w, planes, R, S);
}

extern "C" __global__ void conv2d_flip_filters_f64(double* __restrict__ out, const double* __restrict__ w,
                                                   long long planes, int R, int S) {
    flip_filters(out, w, planes, R, S);
}
