// Out-of-bounds accesses, device asserts, traps, runaway threads and printf.
#include <cassert>

extern "C" __global__ void off_by_one(float* out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i <= n) out[i] = 1.0f;  // OFF_BY_ONE
}

extern "C" __global__ void write_before_start(float* out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i - 1] = 2.0f;
}

extern "C" __global__ void far_read(const float* in, float* out) {
    out[threadIdx.x] = in[(1LL << 40) + threadIdx.x];  // FAR_READ
}

extern "C" __global__ void far_read_by(const float* in, float* out, long long distance) {
    out[threadIdx.x] = in[distance + threadIdx.x];  // FAR_READ_BY
}

extern "C" __global__ void huge_locals(float* out, int n) {
    volatile float scratch[64 * 1024];  // 256 KiB: more than a fiber's stack
    for (int i = 0; i < n; ++i) scratch[i] = i;
    out[threadIdx.x] = scratch[n - 1];
}

extern "C" __global__ void checked(const int* values, int* out) {
    const int v = values[blockIdx.x * blockDim.x + threadIdx.x];
    assert(v >= 0);  // DEVICE_ASSERT
    out[blockIdx.x * blockDim.x + threadIdx.x] = 2 * v;
}

extern "C" __global__ void trapping(int* out, int bad) {
    if (threadIdx.x == bad) __trap();  // TRAP
    out[threadIdx.x] = 1;
}

// Thread 0 waits for a flag that no thread ever sets.
extern "C" __global__ void spin_forever(volatile int* flag, int* out) {
    if (threadIdx.x == 0)
        while (*flag == 0) {
        }
    out[threadIdx.x] = 1;
}

extern "C" __global__ void hello(int tag) {
    printf("block %d thread %d tag %d\n", blockIdx.x, threadIdx.x, tag);
}

// Reads float4s from a float array at an odd offset: misaligned for 16-byte vectors.
extern "C" __global__ void misaligned_float4(const float* in, float* out) {
    const float4 v = reinterpret_cast<const float4*>(in + 1)[threadIdx.x];  // MISALIGNED
    out[threadIdx.x] = v.x + v.y + v.z + v.w;
}

// Integer division: a zero divisor, or INT_MIN / -1, traps on x86 (SIGFPE).
extern "C" __global__ void divide(const int* numerators, const int* denominators, int* out) {
    const int i = threadIdx.x;
    out[i] = numerators[i] / denominators[i] + numerators[i] % denominators[i];  // DIVIDE
}

// Writes `distance` bytes past the end of `out` (n floats) from one thread.
extern "C" __global__ void write_far(float* out, int n, long long distance, int writer) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = 1.0f;
    if (i == writer) reinterpret_cast<char*>(out + n)[distance] = 7;  // WRITE_FAR
}

// Writes out[0..n) whatever the array's size: a raw launch with n too large.
extern "C" __global__ void fill_n(float* out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = 3.0f;  // FILL_N
}

// Indexes a static __shared__ tile at `index`, which may be past its end.
extern "C" __global__ void shared_index(float* out, int index) {
    __shared__ float tile[64];
    __shared__ float other[64];
    tile[threadIdx.x] = threadIdx.x;
    other[threadIdx.x] = 2.0f * threadIdx.x;
    __syncthreads();
    if (threadIdx.x == 5) tile[index] = -1.0f;  // SHARED_OVERRUN
    __syncthreads();
    out[blockIdx.x * blockDim.x + threadIdx.x] = tile[threadIdx.x] + other[threadIdx.x];
}

// Loops forever while reaching a barrier each time round: the watchdog sees progress.
extern "C" __global__ void barrier_loop(volatile int* flag, int* out) {
    __shared__ int rounds;
    if (threadIdx.x == 0) rounds = 0;
    __syncthreads();
    while (*flag == 0) {
        if (threadIdx.x == 0) ++rounds;
        __syncthreads();  // BARRIER_LOOP
    }
    out[threadIdx.x] = 1;
}
