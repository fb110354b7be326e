// Building blocks of the reduction-shaped kernels (gemv, reduce, softmax, pooling): vector
// packs for 16-byte loads, reduction ops, and the three ways a row or column is reduced here:
// by one warp, by one block, or by a block that owns a tile of 32 columns.
#pragma once
#include "common.cuh"

// W elements loaded or stored with one instruction (16 bytes for W = VEC_WIDTH<T>).
template <typename T, int W>
struct alignas(sizeof(T) * W) Pack {
    T v[W];
};

template <typename T>
constexpr int VEC_WIDTH = 16 / sizeof(T);

template <int W, typename T>
__device__ __forceinline__ Pack<T, W> load_pack(const T* p) {
    return *reinterpret_cast<const Pack<T, W>*>(p);
}

template <int W, typename T>
__device__ __forceinline__ void store_pack(T* p, const Pack<T, W>& pack) {
    *reinterpret_cast<Pack<T, W>*>(p) = pack;
}

// Rows of `cols` elements starting at `base` can be read in W-wide packs: every row start is
// then a multiple of W elements from an aligned base.
template <int W, typename T>
__device__ __forceinline__ bool packs_fit(const T* base, long long cols) {
    return cols % W == 0 && reinterpret_cast<unsigned long long>(base) % (sizeof(T) * W) == 0;
}

__device__ __forceinline__ float exp_(float v) { return expf(v); }
__device__ __forceinline__ double exp_(double v) { return exp(v); }
__device__ __forceinline__ float log_(float v) { return logf(v); }
__device__ __forceinline__ double log_(double v) { return log(v); }

// Reduction ops: the identity, how two partial results combine, and the warp-wide reduce.
template <typename T>
struct Sum {
    using type = T;
    static __device__ __forceinline__ T identity() { return T(0); }
    static __device__ __forceinline__ T combine(T a, T b) { return a + b; }
    static __device__ __forceinline__ T warp(T v) { return warp_sum(v); }
};

template <typename T>
struct Max {
    using type = T;
    static __device__ __forceinline__ T identity() { return -INFINITY; }
    static __device__ __forceinline__ T combine(T a, T b) { return nan_max(a, b); }
    static __device__ __forceinline__ T warp(T v) { return warp_max(v); }
};

// A value and where it was found, for argmax-shaped reductions.
template <typename T>
struct Located {
    T value;
    int index;
};

// __shfl_xor_sync over a full warp, for the reduction ops' types: scalars and Located pairs.
template <typename T>
__device__ __forceinline__ T shfl_xor(T v, int offset) {
    return __shfl_xor_sync(0xffffffffu, v, offset);
}

template <typename T>
__device__ __forceinline__ Located<T> shfl_xor(Located<T> v, int offset) {
    return {shfl_xor(v.value, offset), shfl_xor(v.index, offset)};
}

// First maximum (numpy.argmax for NaN-free data): the larger value wins, the smaller index on
// ties, so partial results may be combined in any order. The identity's index is past every
// real one, so an element equal to -inf still replaces it.
template <typename T>
struct ArgMax {
    using type = Located<T>;
    static __device__ __forceinline__ Located<T> identity() { return {-INFINITY, 0x7fffffff}; }
    static __device__ __forceinline__ Located<T> combine(Located<T> a, Located<T> b) {
        return b.value > a.value || (b.value == a.value && b.index < a.index) ? b : a;
    }
    static __device__ __forceinline__ Located<T> warp(Located<T> v) {
        for (int offset = 16; offset > 0; offset >>= 1)
            v = combine(v, shfl_xor(v, offset));
        return v;
    }
};

// One warp reduces pack_at(j) for j = lane*W, lane*W + 32*W, ... < cols; every lane gets the
// result. The unrolled loop keeps several independent loads in flight per lane, which is what
// a memory-bound reduction needs to approach copy bandwidth.
template <typename Op, int W, typename PackAt>
__device__ __forceinline__ typename Op::type warp_reduce_row(long long cols, int lane, PackAt pack_at) {
    using T = typename Op::type;
    T acc = Op::identity();
#pragma unroll 4
    for (long long j = (long long)lane * W; j < cols; j += 32 * W) {
        Pack<T, W> p = pack_at(j);
#pragma unroll
        for (int k = 0; k < W; ++k)
            acc = Op::combine(acc, p.v[k]);
    }
    return Op::warp(acc);
}

// The whole (1-D, multiple-of-32 threads) block reduces v; every thread gets the result.
// `scratch` holds 32 values of shared memory; the leading barrier lets a block call this
// several times in a row with the same scratch.
template <typename Op>
__device__ __forceinline__ typename Op::type block_reduce(typename Op::type v, typename Op::type* scratch) {
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    v = Op::warp(v);
    __syncthreads();
    if (lane == 0)
        scratch[warp] = v;
    __syncthreads();
    return Op::warp(lane < blockDim.x / 32 ? scratch[lane] : Op::identity());
}

// A block of (32, blockDim.y) threads reduces the 32 columns [blockIdx.x*32, +32) of a
// rows x cols matrix over all its rows: reading a column with a warp would touch one cache
// line per element, so instead the warp reads 32 consecutive columns of a row (coalesced) and
// the warps of the block walk different rows. With W > 1 a lane owns W adjacent columns, 32/W
// lanes span the tile and the W lane groups of a warp take different rows.
// value_at(i, c) gives the W values of row i at columns c..c+W-1 (called with c < cols; the
// caller guarantees cols % W == 0). `partial` holds blockDim.y * 32 values of shared memory.
// Warp 0 ends with the result of column `column` = blockIdx.x*32 + lane; the return value
// says whether this thread holds a result for an existing column. Every thread of the block
// must call this (it has a barrier). Partial results are combined in a fixed order, so the
// result does not depend on scheduling.
template <typename Op, int W, typename ValueAt>
__device__ __forceinline__ bool column_tile_reduce(long long rows, long long cols, typename Op::type* partial,
                                                   ValueAt value_at, typename Op::type& result,
                                                   long long& column) {
    using T = typename Op::type;
    constexpr int SPAN = 32 / W;
    int lane = threadIdx.x, group = lane / SPAN;
    long long c = (long long)blockIdx.x * 32 + (lane % SPAN) * W;
    Pack<T, W> acc;
#pragma unroll
    for (int k = 0; k < W; ++k)
        acc.v[k] = Op::identity();
    if (c < cols) {
#pragma unroll 4
        for (long long i = (long long)threadIdx.y * W + group; i < rows; i += (long long)blockDim.y * W) {
            Pack<T, W> v = value_at(i, c);
#pragma unroll
            for (int k = 0; k < W; ++k)
                acc.v[k] = Op::combine(acc.v[k], v.v[k]);
        }
    }
    for (int offset = SPAN; offset < 32; offset <<= 1) {
#pragma unroll
        for (int k = 0; k < W; ++k)
            acc.v[k] = Op::combine(acc.v[k], shfl_xor(acc.v[k], offset));
    }
    if (group == 0) {
#pragma unroll
        for (int k = 0; k < W; ++k)
            partial[threadIdx.y * 32 + lane * W + k] = acc.v[k];
    }
    __syncthreads();
    column = (long long)blockIdx.x * 32 + lane;
    if (threadIdx.y != 0)
        return false;
    T total = partial[lane];
    for (int y = 1; y < blockDim.y; ++y)
        total = Op::combine(total, partial[y * 32 + lane]);
    result = total;
    return column < cols;
}

// Index of the first maximum of the row r[0, cols) (cols >= 1), found by one warp whose lanes
// read W-wide packs (the caller checks packs_fit); every lane gets it.
template <int W, typename T>
__device__ __forceinline__ int warp_argmax_row(const T* r, int cols, int lane) {
    Located<T> best = ArgMax<T>::identity();
#pragma unroll 4
    for (int j = lane * W; j < cols; j += 32 * W) {
        Pack<T, W> p = load_pack<W>(r + j);
#pragma unroll
        for (int k = 0; k < W; ++k)
            best = ArgMax<T>::combine(best, {p.v[k], j + k});
    }
    return ArgMax<T>::warp(best).index;
}
