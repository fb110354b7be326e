// __syncthreads semantics and the barrier bugs the emulator must report.

// out[i] = in[i - 1] within the block: correct only with the barrier.
extern "C" __global__ void shift_right(const float* in, float* out, int n) {
    __shared__ float s[1024];
    const int t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
    s[t] = i < n ? in[i] : 0.0f;
    __syncthreads();
    if (i < n) out[i] = t > 0 ? s[t - 1] : -1.0f;
}

// mode 0: predicate t % 3 == 0, 1: all true, 2: all false.
extern "C" __global__ void barrier_votes(int* out, int mode) {
    const int t = threadIdx.x;
    const int p = mode == 0 ? t % 3 == 0 : mode == 1;
    const int count = __syncthreads_count(p);
    const int all = __syncthreads_and(p);
    const int any = __syncthreads_or(p);
    int* o = out + 3 * (blockIdx.x * blockDim.x + t);
    o[0] = count; o[1] = all; o[2] = any;
}

extern "C" __global__ void divergent_barrier(float* out) {
    __shared__ float s[64];
    if (threadIdx.x % 2 == 0) {
        s[threadIdx.x] = 1.0f;
        __syncthreads();  // EVEN_BARRIER
    } else {
        s[threadIdx.x] = 2.0f;
        __syncthreads();  // ODD_BARRIER
    }
    out[threadIdx.x] = s[threadIdx.x ^ 1];
}

extern "C" __global__ void barrier_in_branch(float* out) {
    __shared__ float s[64];
    s[threadIdx.x] = threadIdx.x;
    if (threadIdx.x < 16) __syncthreads();  // BRANCH_BARRIER
    out[threadIdx.x] = s[63 - threadIdx.x];
    __syncthreads();  // FINAL_BARRIER
}

extern "C" __global__ void early_return(const float* in, float* out, int n) {
    __shared__ float s[256];
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    s[threadIdx.x] = in[i];
    __syncthreads();
    out[i] = 2.0f * s[threadIdx.x];
}
