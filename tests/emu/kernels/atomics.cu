// Atomic functions in global and shared memory.

extern "C" __global__ void histogram(const int* values, int n, unsigned* bins, unsigned* shared_bins) {
    __shared__ unsigned local[16];
    if (threadIdx.x < 16) local[threadIdx.x] = 0;
    __syncthreads();
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        atomicAdd(&bins[values[i]], 1u);
        atomicAdd(&local[values[i]], 1u);
    }
    __syncthreads();
    if (threadIdx.x < 16) atomicAdd(&shared_bins[threadIdx.x], local[threadIdx.x]);
}

extern "C" __global__ void float_sums(const float* x, int n, float* total, double* total64) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        atomicAdd(total, x[i]);
        atomicAdd(total64, (double)x[i]);
    }
}

// Lock-free maximum of non-negative floats through atomicCAS on their bit patterns.
extern "C" __global__ void cas_max(const float* x, int n, int* best) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int old = *best;
    while (__int_as_float(old) < x[i]) {
        const int seen = atomicCAS(best, old, __float_as_int(x[i]));
        if (seen == old) break;
        old = seen;
    }
}

extern "C" __global__ void counters(unsigned* inc, unsigned* dec, unsigned limit, unsigned* inc_seen,
                                    int* slot, int* exchanged) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    inc_seen[i] = atomicInc(inc, limit);
    atomicDec(dec, limit);
    exchanged[i] = atomicExch(slot, i);
}

// Every other integer atomic, into cells with closed-form results.
extern "C" __global__ void integer_mix(int* cells, unsigned* ucells, unsigned long long* wide) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    atomicSub(&cells[0], i);
    atomicMin(&cells[1], 1000 - i);
    atomicMax(&cells[2], i * 3);
    atomicAnd(&ucells[0], ~(1u << (i % 32)));
    atomicOr(&ucells[1], 1u << (i % 32));
    atomicXor(&ucells[2], (unsigned)i);
    atomicMin(&ucells[3], 5000u - i);
    atomicMax(&ucells[4], (unsigned)i);
    atomicAdd(&wide[0], 1ull << 33);
    atomicMax(&wide[1], (unsigned long long)i << 40);
    atomicCAS(&wide[2], 0ull, (unsigned long long)i + 1);
    atomicAdd_block(&cells[3], 2);
    atomicAdd_system(&cells[4], 3);
}
