// Pooling with any window: kh x kw windows moved by (sh, sw) over an NCHW plane padded by
// (ph, pw), forward (max, or average excluding padding) and backward, float32 and float64.
//
// Window (i, j) covers rows [i*sh - ph, i*sh - ph + kh) and columns likewise, cut to the
// plane; P and Q come from the caller, so a last partial window (Theano's
// ignore_border=False) is cut the same way. Padding never counts: max ignores it and the
// average divides by the elements inside the plane. The max gradient goes to the first
// maximum of each window in row-major order.
#include "common.cuh"

struct Window {
    int h0, h1, w0, w1;  // [h0, h1) x [w0, w1), inside the plane

    __device__ __forceinline__ Window(int i, int j, int H, int W, int kh, int kw, int sh, int sw, int ph, int pw) {
        const int top = i * sh - ph, left = j * sw - pw;
        h0 = max(top, 0);
        h1 = min(top + kh, H);
        w0 = max(left, 0);
        w1 = min(left + kw, W);
    }

    __device__ __forceinline__ int count() const { return (h1 - h0) * (w1 - w0); }

    // Offset in the plane of the first maximum.
    template <typename T>
    __device__ __forceinline__ int first_max(const T* plane, int W) const {
        int best = h0 * W + w0;
        for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w)
                if (plane[h * W + w] > plane[best])
                    best = h * W + w;
        return best;
    }
};

// The windows along one axis that contain position `x`: [first, last] (empty when first > last).
__device__ __forceinline__ int2 windows_over(int x, int k, int s, int pad, int count) {
    const int from = x + pad - k + 1;
    const int first = from <= 0 ? 0 : (from + s - 1) / s;
    return make_int2(first, min((x + pad) / s, count - 1));
}

#define WINDOW_PARAMS int N, int C, int H, int W, int kh, int kw, int sh, int sw, int ph, int pw, int P, int Q
#define WINDOW_ARGS kh, kw, sh, sw, ph, pw

// One thread per output element, grid-stride.
template <bool MAX, typename T>
__device__ __forceinline__ void pool_forward(T* __restrict__ out, const T* __restrict__ x, WINDOW_PARAMS) {
    const long long total = (long long)N * C * P * Q;
    for (long long i = global_thread_index(); i < total; i += grid_stride()) {
        const int q = (int)(i % Q), p = (int)((i / Q) % P);
        const T* plane = x + (i / ((long long)P * Q)) * H * W;
        const Window win(p, q, H, W, WINDOW_ARGS);
        if (MAX) {
            out[i] = plane[win.first_max(plane, W)];
        } else {
            T acc = T(0);
            for (int h = win.h0; h < win.h1; ++h)
                for (int w = win.w0; w < win.w1; ++w)
                    acc += plane[h * W + w];
            out[i] = acc / T(win.count());
        }
    }
}

// One thread per input element, grid-stride: it gathers the gradient of every window over it
// (for max, of the windows whose first maximum it is), so each dx element has one writer.
template <bool MAX, typename T>
__device__ __forceinline__ void pool_backward(T* __restrict__ dx, const T* __restrict__ x, const T* __restrict__ g,
                                              WINDOW_PARAMS) {
    const long long total = (long long)N * C * H * W;
    for (long long i = global_thread_index(); i < total; i += grid_stride()) {
        const int w = (int)(i % W), h = (int)((i / W) % H);
        const long long plane = i / ((long long)H * W);
        const T* gp = g + plane * P * Q;
        const int2 rows = windows_over(h, kh, sh, ph, P), cols = windows_over(w, kw, sw, pw, Q);
        T acc = T(0);
        for (int p = rows.x; p <= rows.y; ++p)
            for (int q = cols.x; q <= cols.y; ++q) {
                const Window win(p, q, H, W, WINDOW_ARGS);
                if (MAX) {
                    if (win.first_max(x + plane * H * W, W) == h * W + w)
                        acc += gp[p * Q + q];
                } else {
                    acc += gp[p * Q + q] / T(win.count());
                }
            }
        dx[i] = acc;
    }
}

extern "C" __global__ void maxpool2d_window(float* __restrict__ out, const float* __restrict__ x, WINDOW_PARAMS) {
    pool_forward<true>(out, x, N, C, H, W, kh, kw, sh, sw, ph, pw, P, Q);
}

extern "C" __global__ void maxpool2d_window_f64(double* __restrict__ out, const double* __restrict__ x,
                                                WINDOW_PARAMS) {
    pool_forward<true>(out, x, N, C, H, W, kh, kw, sh, sw, ph, pw, P, Q);
}

extern "C" __global__ void avgpool2d_window(float* __restrict__ out, const float* __restrict__ x, WINDOW_PARAMS) {
    pool_forward<false>(out, x, N, C, H, W, kh, kw, sh, sw, ph, pw, P, Q);
}

extern "C" __global__ void avgpool2d_window_f64(double* __restrict__ out, const double* __restrict__ x,
                                                WINDOW_PARAMS) {
    pool_forward<false>(out, x, N, C, H, W, kh, kw, sh, sw, ph, pw, P, Q);
}

extern "C" __global__ void maxpool2d_window_bwd(float* __restrict__ dx, const float* __restrict__ x,
                                                const float* __restrict__ g, WINDOW_PARAMS) {
    pool_backward<true>(dx, x, g, N, C, H, W, kh, kw, sh, sw, ph, pw, P, Q);
}

extern "C" __global__ void maxpool2d_window_bwd_f64(double* __restrict__ dx, const double* __restrict__ x,
                                                    const double* __restrict__ g, WINDOW_PARAMS) {
    pool_backward<true>(dx, x, g, N, C, H, W, kh, kw, sh, sw, ph, pw, P, Q);
}

// The average's gradient never reads x: g alone.
extern "C" __global__ void avgpool2d_window_bwd(float* __restrict__ dx, const float* __restrict__ g,
                                                WINDOW_PARAMS) {
    pool_backward<false>(dx, g, g, N, C, H, W, kh, kw, sh, sw, ph, pw, P, Q);
}

extern "C" __global__ void avgpool2d_window_bwd_f64(double* __restrict__ dx, const double* __restrict__ g,
                                                    WINDOW_PARAMS) {
    pool_backward<false>(dx, g, g, N, C, H, W, kh, kw, sh, sw, ph, pw, P, Q);
}
