// Gradient of the embedding lookup: dtable[ids[r], :] += dout[r, :] for r < count, into a
// table gradient (V, D) that already holds what it should be added to (zeros for a fresh
// gradient). Ids are checked on the host; one outside [0, V) that reaches a kernel anyway
// is skipped rather than written out of bounds.
#include "common.cuh"

#ifndef ROWS_PER_BLOCK
#define ROWS_PER_BLOCK 64
#endif

// Scatter with atomics: the forward lookup's 2-D tiling, threads along D so that
// reads of dout and atomics on a table row are coalesced, ids walked grid-stride in y.
// Repeated ids meet in atomicAdd, so float results depend on the order the atomics land.
template <typename T>
__device__ __forceinline__ void scatter_add_atomic(T* __restrict__ dtable, const T* __restrict__ dout,
                                                   const int* __restrict__ ids, long long count, int V,
                                                   long long D) {
    long long d = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (d >= D)
        return;
    for (long long r = (long long)blockIdx.y * blockDim.y + threadIdx.y; r < count;
         r += (long long)gridDim.y * blockDim.y) {
        int id = ids[r];
        if (id >= 0 && id < V)
            atomicAdd(&dtable[id * D + d], dout[r * D + d]);
    }
}

// Deterministic scatter without atomics or sorting: a block owns ROWS_PER_BLOCK table rows
// and blockDim.x columns of them, so each table element has exactly one writer. Every warp
// reads the ids 32 at a time (one per lane), a ballot marks those falling in the block's
// rows, and the lanes add the marked dout rows in increasing r, the order of np.add.at, so
// the result is the same on every run. Lanes past D still vote, as the ballot needs a full
// warp. Each block reads all ids, which costs count * ceil(V / ROWS_PER_BLOCK) id reads: the
// price of determinism, small next to the D-wide rows when ROWS_PER_BLOCK is large.
template <typename T>
__device__ __forceinline__ void scatter_add_owned_rows(T* __restrict__ dtable, const T* __restrict__ dout,
                                                       const int* __restrict__ ids, long long count, int V,
                                                       long long D) {
    long long d = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    bool has_column = d < D;
    int lane = threadIdx.x % 32;
    for (long long first = (long long)blockIdx.y * ROWS_PER_BLOCK; first < V;
         first += (long long)gridDim.y * ROWS_PER_BLOCK) {
        long long last = first + ROWS_PER_BLOCK < V ? first + ROWS_PER_BLOCK : V;
        for (long long r0 = 0; r0 < count; r0 += 32) {
            int id = r0 + lane < count ? ids[r0 + lane] : -1;
            unsigned owned = __ballot_sync(0xffffffffu, id >= first && id < last);
            while (owned) {
                int k = __ffs(owned) - 1;
                owned &= owned - 1;
                int row = __shfl_sync(0xffffffffu, id, k);
                if (has_column)
                    dtable[row * D + d] += dout[(r0 + k) * D + d];
            }
        }
    }
}

extern "C" __global__ void embedding_scatter_atomic(float* __restrict__ dtable, const float* __restrict__ dout,
                                                    const int* __restrict__ ids, long long count, int V, int D) {
    scatter_add_atomic(dtable, dout, ids, count, V, D);
}

extern "C" __global__ void embedding_scatter_atomic_f64(double* __restrict__ dtable,
                                                        const double* __restrict__ dout,
                                                        const int* __restrict__ ids, long long count, int V,
                                                        int D) {
    scatter_add_atomic(dtable, dout, ids, count, V, D);
}

extern "C" __global__ void embedding_scatter_owned(float* __restrict__ dtable, const float* __restrict__ dout,
                                                   const int* __restrict__ ids, long long count, int V, int D) {
    scatter_add_owned_rows(dtable, dout, ids, count, V, D);
}

extern "C" __global__ void embedding_scatter_owned_f64(double* __restrict__ dtable,
                                                       const double* __restrict__ dout,
                                                       const int* __restrict__ ids, long long count, int V,
                                                       int D) {
    scatter_add_owned_rows(dtable, dout, ids, count, V, D);
}
