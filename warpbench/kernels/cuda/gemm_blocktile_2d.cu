// GEMM step 4: 2-D register blocking (siboehm kernel 5). Each thread computes a TM x TN block of
// C from TM values of op(A) and TN of op(B) held in registers: TM * TN FMAs per TM + TN shared
// loads (64 : 16 at 8 x 8). Scalar accesses only: no alignment needs.
#include "gemm_common.cuh"

// siboehm's configuration for large matrices: 128 x 128 block tile, 8-deep K slices and an
// 8 x 8 thread tile: 256 threads, 8 KiB of shared memory, 64 accumulators per thread.
#ifndef BM
#define BM 128
#endif
#ifndef BN
#define BN 128
#endif
#ifndef BK
#define BK 8
#endif
#ifndef TM
#define TM 8
#endif
#ifndef TN
#define TN 8
#endif

#define THREADS (BM / TM * (BN / TN))

extern "C" __global__ __launch_bounds__(THREADS) void
sgemm_blocktile_2d(float* __restrict__ C, const float* __restrict__ A, const float* __restrict__ B,
                   int M, int N, int K, float alpha, float beta, int trans_a, int trans_b) {
    __shared__ float As[BM * BK];
    __shared__ float Bs[BK * BN];
    const int tid = threadIdx.x;
    const int thread_col = tid % (BN / TN), thread_row = tid / (BN / TN);
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    OpTile<float, BM, BK, BK, 1, THREADS> a_tile(A, M, K, trans_a);
    OpTile<float, BK, BN, BN, 1, THREADS> b_tile(B, K, N, trans_b);
    float acc[TM][TN] = {};
    float a_frag[TM], b_frag[TN];
    for (int k0 = 0; k0 < K; k0 += BK) {
        a_tile.load(As, row0, k0, tid);
        b_tile.load(Bs, k0, col0, tid);
        __syncthreads();
#pragma unroll
        for (int k = 0; k < BK; ++k) {
#pragma unroll
            for (int i = 0; i < TM; ++i)
                a_frag[i] = As[(thread_row * TM + i) * BK + k];
#pragma unroll
            for (int j = 0; j < TN; ++j)
                b_frag[j] = Bs[k * BN + thread_col * TN + j];
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j)
                    acc[i][j] += a_frag[i] * b_frag[j];
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; ++i)
        gemm_store_row<TN>(C, M, N, row0 + thread_row * TM + i, col0 + thread_col * TN, acc[i], alpha, beta,
                           false);
}
