// Helpers shared by every kernel family. Kept tiny: a family's own helpers live in its file.
#pragma once

// 64-bit index and stride of a 1-D grid-stride loop, so n may exceed 2^31 elements.
__device__ __forceinline__ long long global_thread_index() {
    return (long long)blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long grid_stride() {
    return (long long)gridDim.x * blockDim.x;
}

// Butterfly reductions over the 32 lanes of a full warp; every lane gets the result.
template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
    for (int offset = 16; offset > 0; offset >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

// The larger of a and b, NaN when either is NaN (NumPy's max; fmax would skip the NaN).
template <typename T>
__device__ __forceinline__ T nan_max(T a, T b) {
    return (a != a || a > b) ? a : b;
}

template <typename T>
__device__ __forceinline__ T warp_max(T v) {
    for (int offset = 16; offset > 0; offset >>= 1)
        v = nan_max(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}
