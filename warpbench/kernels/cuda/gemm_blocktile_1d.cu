// GEMM step 3: 1-D register blocking (siboehm kernel 4). Each thread computes TM elements of one
// column of C, so one shared-memory read of op(B) feeds TM FMAs and the ratio of FMAs to shared
// loads rises from 1:2 to TM:(TM+1). Scalar accesses only: no alignment needs.
#include "gemm_common.cuh"

// siboehm's configuration: a 64 x 64 block tile, 8-deep K slices, 8 results per thread, so
// 64 * 64 / 8 = 512 threads and (64 * 8 + 8 * 64) * 4 = 4 KiB of shared memory per block.
#ifndef BM
#define BM 64
#endif
#ifndef BN
#define BN 64
#endif
#ifndef BK
#define BK 8
#endif
#ifndef TM
#define TM 8
#endif

#define THREADS (BM / TM * BN)

extern "C" __global__ __launch_bounds__(THREADS) void
sgemm_blocktile_1d(float* __restrict__ C, const float* __restrict__ A, const float* __restrict__ B,
                   int M, int N, int K, float alpha, float beta, int trans_a, int trans_b) {
    // As is BM x BK (row per row of C), Bs is BK x BN: the layouts of the op matrices.
    __shared__ float As[BM * BK];
    __shared__ float Bs[BK * BN];
    const int tid = threadIdx.x;
    // A warp spans consecutive columns of one row group: As reads broadcast, Bs reads are
    // consecutive.
    const int thread_col = tid % BN, thread_row = tid / BN;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    OpTile<float, BM, BK, BK, 1, THREADS> a_tile(A, M, K, trans_a);
    OpTile<float, BK, BN, BN, 1, THREADS> b_tile(B, K, N, trans_b);
    float acc[TM] = {};
    for (int k0 = 0; k0 < K; k0 += BK) {
        a_tile.load(As, row0, k0, tid);
        b_tile.load(Bs, k0, col0, tid);
        __syncthreads();
#pragma unroll
        for (int k = 0; k < BK; ++k) {
            const float b = Bs[k * BN + thread_col];
#pragma unroll
            for (int i = 0; i < TM; ++i)
                acc[i] += As[(thread_row * TM + i) * BK + k] * b;
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; ++i)
        gemm_store(C, M, N, row0 + thread_row * TM + i, col0 + thread_col, acc[i], alpha, beta);
}
