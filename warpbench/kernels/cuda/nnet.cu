// Layer glue of the book's networks: bias + activation after a dense layer or a convolution,
// and the embedding lookup. Both map a rows x cols grid of outputs onto a 2-D grid of
// (BLOCK_X, BLOCK_Y) blocks: threadIdx.x runs along a row so loads and stores are coalesced,
// and rows are walked grid-stride in y because gridDim.y is capped at 65535.
#include "reduce.cuh"

#ifndef BLOCK_X
#define BLOCK_X 32
#endif
#ifndef BLOCK_Y
#define BLOCK_Y 8
#endif

// Activation codes, shared with the host code (warpbench.hostcode._checks.ACTIVATIONS).
enum Activation { ACT_NONE = 0, ACT_RELU = 1, ACT_TANH = 2, ACT_SIGMOID = 3 };

__device__ __forceinline__ float tanh_(float v) { return tanhf(v); }
__device__ __forceinline__ double tanh_(double v) { return tanh(v); }

// `act` is uniform over the launch, so the switch never diverges. relu keeps NaN as NaN
// (like numpy.maximum); sigmoid's exp(-v) overflows to inf for very negative v, giving 0.
template <typename T>
__device__ __forceinline__ T activate(T v, int act) {
    switch (act) {
        case ACT_RELU: return v < T(0) ? T(0) : v;
        case ACT_TANH: return tanh_(v);
        case ACT_SIGMOID: return T(1) / (T(1) + exp_(-v));
        default: return v;
    }
}

// out[r, c] = act(x[r, c] + b) over rows x cols, with b = bias[c] (dense layer: x is (M, N),
// bias (N,)) or b = bias[r % channels] (PER_PLANE: rows are the N*C planes of an NCHW tensor,
// cols = H*W).
template <bool PER_PLANE, typename T>
__device__ __forceinline__ void add_bias_activate(T* __restrict__ out, const T* __restrict__ x,
                                                  const T* __restrict__ bias, long long rows, long long cols,
                                                  int channels, int act) {
    long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols)
        return;
    T column_bias = PER_PLANE ? T(0) : bias[c];
    for (long long r = (long long)blockIdx.y * blockDim.y + threadIdx.y; r < rows;
         r += (long long)gridDim.y * blockDim.y) {
        T b = PER_PLANE ? bias[r % channels] : column_bias;
        out[r * cols + c] = activate(x[r * cols + c] + b, act);
    }
}

extern "C" __global__ void bias_act(float* __restrict__ out, const float* __restrict__ x,
                                    const float* __restrict__ bias, int M, int N, int act) {
    add_bias_activate<false>(out, x, bias, M, N, 0, act);
}

extern "C" __global__ void bias_act_nchw(float* __restrict__ out, const float* __restrict__ x,
                                         const float* __restrict__ bias, int N, int C, int H, int W, int act) {
    add_bias_activate<true>(out, x, bias, (long long)N * C, (long long)H * W, C, act);
}

extern "C" __global__ void bias_act_f64(double* __restrict__ out, const double* __restrict__ x,
                                        const double* __restrict__ bias, int M, int N, int act) {
    add_bias_activate<false>(out, x, bias, M, N, 0, act);
}

extern "C" __global__ void bias_act_nchw_f64(double* __restrict__ out, const double* __restrict__ x,
                                             const double* __restrict__ bias, int N, int C, int H, int W,
                                             int act) {
    add_bias_activate<true>(out, x, bias, (long long)N * C, (long long)H * W, C, act);
}

// out[r, :] = table[ids[r], :] for r < count; table is (V, D). Ids are checked on the host;
// an id outside [0, V) that reaches the kernel anyway gives a row of zeros instead of an
// out-of-bounds read.
template <typename T>
__device__ __forceinline__ void embedding(T* __restrict__ out, const T* __restrict__ table,
                                          const int* __restrict__ ids, long long count, int V, long long D) {
    long long d = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (d >= D)
        return;
    for (long long r = (long long)blockIdx.y * blockDim.y + threadIdx.y; r < count;
         r += (long long)gridDim.y * blockDim.y) {
        int id = ids[r];
        out[r * D + d] = id >= 0 && id < V ? table[id * D + d] : T(0);
    }
}

extern "C" __global__ void embedding_gather(float* __restrict__ out, const float* __restrict__ table,
                                            const int* __restrict__ ids, long long count, int V, int D) {
    embedding(out, table, ids, count, V, D);
}

extern "C" __global__ void embedding_gather_f64(double* __restrict__ out, const double* __restrict__ table,
                                                const int* __restrict__ ids, long long count, int V, int D) {
    embedding(out, table, ids, count, V, D);
}
