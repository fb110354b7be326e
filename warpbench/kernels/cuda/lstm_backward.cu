// LSTM backward through time, float32: the elementwise kernels of the lstm_backward pipeline
// (the GEMMs are the registry's). Conventions as lstm.cu: gate order i, f, g, o; a gates row of
// batch element b is [i(H) f(H) g(H) o(H)] of pre-activations; c' = f*c + i*g, h' = o*tanh(c').
#include "common.cuh"

#ifndef BLOCK
#define BLOCK 256
#endif

__device__ __forceinline__ float sigmoid_b(float v) { return 1.0f / (1.0f + expf(-v)); }

// cs (T, B, H) = the cell state after each step, recomputed from the pre-activations gates
// (T, B, 4H) and c0 (B, H). Thread (b, j) walks the steps in the direction's order (t = T-1 .. 0
// when reverse): its chain reads only its own four gates, so the time loop needs no barrier.
extern "C" __global__ __launch_bounds__(BLOCK) void
lstm_cell_states(float* __restrict__ cs, const float* __restrict__ gates, const float* __restrict__ c0, int T,
                 int B, int H, int reverse) {
    const long long index = global_thread_index();
    if (index >= (long long)B * H)
        return;
    const int b = (int)(index / H), j = (int)(index % H);
    float c = c0[index];
    for (int step = 0; step < T; ++step) {
        const int t = reverse ? T - 1 - step : step;
        const float* g = gates + ((size_t)t * B + b) * 4 * H + j;
        c = sigmoid_b(g[H]) * c + sigmoid_b(g[0]) * tanhf(g[2 * H]);
        cs[((size_t)t * B + b) * H + j] = c;
    }
}

// One step back: from the step's pre-activations gates (B, 4H), the cell states before (c_prev)
// and after (c) it, the gradient dh reaching its h and dc reaching its c, write the gradient of
// the pre-activations dgates (B, 4H) and replace dc by the gradient reaching c_prev. Each thread
// owns one (b, j): dc is read and written by that thread only.
extern "C" __global__ __launch_bounds__(BLOCK) void
lstm_cell_backward(float* __restrict__ dgates, float* dc, const float* __restrict__ gates,
                   const float* __restrict__ c_prev, const float* __restrict__ c, const float* __restrict__ dh,
                   int B, int H) {
    const long long index = global_thread_index();
    if (index >= (long long)B * H)
        return;
    const int b = (int)(index / H), j = (int)(index % H);
    const float* g = gates + (size_t)b * 4 * H + j;
    const float i = sigmoid_b(g[0]), f = sigmoid_b(g[H]), gg = tanhf(g[2 * H]), o = sigmoid_b(g[3 * H]);
    const float tc = tanhf(c[index]);
    const float dh_ = dh[index];
    const float dc_ = dc[index] + dh_ * o * (1.0f - tc * tc);
    float* d = dgates + (size_t)b * 4 * H + j;
    d[0] = dc_ * gg * i * (1.0f - i);
    d[H] = dc_ * c_prev[index] * f * (1.0f - f);
    d[2 * H] = dc_ * i * (1.0f - gg * gg);
    d[3 * H] = dh_ * tc * o * (1.0f - o);
    dc[index] = dc_ * f;
}

// left, right (rows, cols) = the two halves of in (rows, 2*cols): the bidirectional output's
// gradient split per direction (the adjoint of concat_columns).
extern "C" __global__ __launch_bounds__(BLOCK) void
split_columns(float* __restrict__ left, float* __restrict__ right, const float* __restrict__ in, int rows,
              int cols) {
    const long long index = global_thread_index();
    if (index >= 2LL * rows * cols)
        return;
    const long long row = index / (2 * cols);
    const int col = (int)(index % (2 * cols));
    if (col < cols)
        left[row * cols + col] = in[index];
    else
        right[row * cols + col - cols] = in[index];
}
