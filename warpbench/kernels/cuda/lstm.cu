// LSTM forward kernels, float32: the fused cell, the fused recurrent step (recurrent matmul and
// cell in one launch) and the two small stages the sequence pipelines need (bias rows, concat).
//
// Gate order i, f, g, o: a gates row of batch element b is [i(H) f(H) g(H) o(H)], i, f, o pass
// through a sigmoid and g through tanh; c' = f*c + i*g, h' = o*tanh(c'). Matrices are contiguous
// row-major; no alignment beyond 4 bytes is needed. c_out may be c_prev (in place): each
// element is read and written by the same thread only.
#include "common.cuh"

// Threads per block of the one-thread-per-element kernels.
#ifndef BLOCK
#define BLOCK 256
#endif
// lstm_step: a block owns JT hidden units (4*JT gate columns) of BT batch rows; its threads form
// KSPLIT groups that split each BK-deep slice of the reduction, and in a group each thread owns
// one hidden unit of TB rows (4*TB accumulators).
#ifndef JT
#define JT 4
#endif
#ifndef BT
#define BT 32
#endif
#ifndef TB
#define TB 4
#endif
#ifndef KSPLIT
#define KSPLIT 8
#endif
#ifndef BK
#define BK 32
#endif

__device__ __forceinline__ float sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }

// The state update of one (b, j) from its four gate pre-activations.
__device__ __forceinline__ void lstm_update(float i_pre, float f_pre, float g_pre, float o_pre, float c_prev,
                                            float* h, float* c) {
    const float c_new = sigmoid(f_pre) * c_prev + sigmoid(i_pre) * tanhf(g_pre);
    *c = c_new;
    *h = sigmoid(o_pre) * tanhf(c_new);
}

// gates (B, 4H) are the pre-activations x.W + h.U + b; thread (b, j) reads its four gates
// (four coalesced streams) and writes h_out[b, j], c_out[b, j].
extern "C" __global__ __launch_bounds__(BLOCK) void
lstm_cell(float* h_out, float* c_out, const float* __restrict__ gates, const float* c_prev, int B, int H) {
    const long long index = global_thread_index();
    if (index >= (long long)B * H)
        return;
    const int b = (int)(index / H), j = (int)(index % H);
    const float* g = gates + (size_t)b * 4 * H + j;
    float h, c;
    lstm_update(g[0], g[H], g[2 * H], g[3 * H], c_prev[index], &h, &c);
    h_out[index] = h;
    c_out[index] = c;
}

#define STEP_THREADS (JT * (BT / TB) * KSPLIT)

// The global -> shared movement of one BK-deep slice of lstm_step: h_prev rows b0.. (coalesced
// along k) and, per k, the four gate columns of units j0.. of U. fetch() puts the slice in
// registers, store() writes it to a shared buffer, so the next slice's loads overlap the
// current slice's FMAs.
struct StepLoader {
    static constexpr int H_LOADS = (BT * BK + STEP_THREADS - 1) / STEP_THREADS;
    static constexpr int U_LOADS = (4 * BK * JT + STEP_THREADS - 1) / STEP_THREADS;
    const float* __restrict__ h_prev;
    const float* __restrict__ U;
    int B, H, b0, j0, tid;
    float h[H_LOADS], u[U_LOADS];

    __device__ __forceinline__ void fetch(int k0) {
#pragma unroll
        for (int i = 0; i < H_LOADS; ++i) {
            const int e = tid + i * STEP_THREADS, row = e / BK, kk = e % BK;
            const bool inside = e < BT * BK && b0 + row < B && k0 + kk < H;
            h[i] = inside ? h_prev[(size_t)(b0 + row) * H + k0 + kk] : 0.0f;
        }
#pragma unroll
        for (int i = 0; i < U_LOADS; ++i) {
            const int e = tid + i * STEP_THREADS, unit = e % JT, gate = e / JT % 4, kk = e / (4 * JT);
            const bool inside = e < 4 * BK * JT && k0 + kk < H && j0 + unit < H;
            u[i] = inside ? U[(size_t)(k0 + kk) * 4 * H + gate * H + j0 + unit] : 0.0f;
        }
    }

    __device__ __forceinline__ void store(float* h_tile, float4* u_tile) const {
#pragma unroll
        for (int i = 0; i < H_LOADS; ++i) {
            const int e = tid + i * STEP_THREADS;
            if (e < BT * BK)
                h_tile[e / BK * (BK + 1) + e % BK] = h[i];
        }
#pragma unroll
        for (int i = 0; i < U_LOADS; ++i) {
            const int e = tid + i * STEP_THREADS, unit = e % JT, gate = e / JT % 4, kk = e / (4 * JT);
            if (e < 4 * BK * JT)
                reinterpret_cast<float*>(u_tile)[(kk * JT + unit) * 4 + gate] = u[i];
        }
    }
};

// One time step in one launch: gates = gates_x + h_prev . U (h_prev B x H, U H x 4H), then the
// cell. gates_x holds this step's input projection and bias; h_out must not alias h_prev (other
// blocks still read it). Thread tid = (ks * BT/TB + bg) * JT + jt: the lanes of a warp share the
// slice offset ks, so at every k they read one row of the U tile (consecutive float4s, one per
// hidden unit, holding its four gate weights) and broadcast h values. Slices are double-buffered
// (one barrier each, next slice fetched during the FMAs). The KSPLIT partial sums meet in shared
// memory, where the epilogue threads take consecutive hidden units: coalesced gates_x reads and
// h/c writes.
extern "C" __global__ __launch_bounds__(STEP_THREADS) void
lstm_step(float* h_out, float* c_out, const float* __restrict__ gates_x, const float* __restrict__ h_prev,
          const float* c_prev, const float* __restrict__ U, int B, int H) {
    __shared__ float h_tile[2][BT * (BK + 1)];  // h_tile[buf][row][kk], padded against bank conflicts
    __shared__ float4 u_tile[2][BK * JT];       // u_tile[buf][kk][jt] = the (i, f, g, o) weights of unit jt
    __shared__ float4 partial[KSPLIT * BT * JT];
    const int tid = threadIdx.x;
    const int jt = tid % JT, bg = tid / JT % (BT / TB), ks = tid / (JT * (BT / TB));
    const int j0 = blockIdx.x * JT, b0 = blockIdx.y * BT;
    StepLoader load{h_prev, U, B, H, b0, j0, tid};
    float acc[TB][4] = {};
    load.fetch(0);
    load.store(h_tile[0], u_tile[0]);
    __syncthreads();
    int buf = 0;
    for (int k0 = 0; k0 < H; k0 += BK) {
        const bool more = k0 + BK < H;
        if (more)
            load.fetch(k0 + BK);
        // KSPLIT divides BK (both powers of two, KSPLIT <= BK): a fixed trip count the compiler unrolls.
#pragma unroll
        for (int step = 0; step < BK / KSPLIT; ++step) {
            const int kk = ks + step * KSPLIT;
            const float4 u = u_tile[buf][kk * JT + jt];
#pragma unroll
            for (int i = 0; i < TB; ++i) {
                const float h = h_tile[buf][(bg * TB + i) * (BK + 1) + kk];
                acc[i][0] += h * u.x;
                acc[i][1] += h * u.y;
                acc[i][2] += h * u.z;
                acc[i][3] += h * u.w;
            }
        }
        // The other buffer was last read in the previous slice, before the barrier that ended it.
        if (more)
            load.store(h_tile[buf ^ 1], u_tile[buf ^ 1]);
        __syncthreads();
        buf ^= 1;
    }
#pragma unroll
    for (int i = 0; i < TB; ++i)
        partial[(ks * BT + bg * TB + i) * JT + jt] = make_float4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
    __syncthreads();
    for (int e = tid; e < BT * JT; e += STEP_THREADS) {
        const int row = e / JT, unit = e % JT;
        const int b = b0 + row, j = j0 + unit;
        if (b >= B || j >= H)
            continue;
        float4 sum = partial[row * JT + unit];
        for (int s = 1; s < KSPLIT; ++s) {
            const float4 more = partial[(s * BT + row) * JT + unit];
            sum.x += more.x;
            sum.y += more.y;
            sum.z += more.z;
            sum.w += more.w;
        }
        const float* gx = gates_x + (size_t)b * 4 * H + j;
        const size_t index = (size_t)b * H + j;
        float h, c;
        lstm_update(gx[0] + sum.x, gx[H] + sum.y, gx[2 * H] + sum.z, gx[3 * H] + sum.w, c_prev[index], &h, &c);
        h_out[index] = h;
        c_out[index] = c;
    }
}

// out (rows, cols) = b broadcast over rows: the pipelines' input-projection GEMM then accumulates
// into it (beta = 1), which folds the bias in without a pass of its own per step.
extern "C" __global__ __launch_bounds__(BLOCK) void
broadcast_rows(float* __restrict__ out, const float* __restrict__ b, int rows, int cols) {
    const long long index = global_thread_index();
    if (index < (long long)rows * cols)
        out[index] = b[index % cols];
}

// out (rows, 2*cols) = [left | right]: the bidirectional LSTM's two directions side by side.
extern "C" __global__ __launch_bounds__(BLOCK) void
concat_columns(float* __restrict__ out, const float* __restrict__ left, const float* __restrict__ right,
               int rows, int cols) {
    const long long index = global_thread_index();
    if (index >= 2LL * rows * cols)
        return;
    const long long row = index / (2 * cols);
    const int col = (int)(index % (2 * cols));
    out[index] = col < cols ? left[row * cols + col] : right[row * cols + col - cols];
}
