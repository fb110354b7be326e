// GEMM step 7: warp tiling with two shared-memory stages and register prefetch. While the warps
// multiply stage s, each thread already holds the next tile's global loads in registers
// (issued before the FMAs, so their latency hides behind them) and writes them to stage s ^ 1
// afterwards: one barrier per K slice instead of two, and no idle wait for global memory.
// Alignment as in step 5: float4 where a matrix allows it, scalar fallback otherwise.
#include "gemm_warptile.cuh"

// The classic 128 x 128 x 8 CUDA-core SGEMM block tile (CUTLASS's default SIMT threadblock shape):
// 256 threads, eight 64 x 32 warp tiles, each lane an 8 x 8 block split in 2 x 2 sub-tiles of 4 x 4
// so that a warp's float4 fragment loads touch 128 contiguous bytes of As and 64 of Bs.
// Per thread: 64 accumulators + 16 fragment + 8 staging registers, which fits two blocks per SM
// (MIN_BLOCKS = 2 caps ptxas at 128 registers): 16 warps to hide shared-memory latency, where the
// warptile default (168 registers, 128 threads) keeps 12. Unmeasured on a GPU so far: the tuning
// sweep in benchmarks/gemm.py compares it with its neighbours.
#ifndef THREADS
#define THREADS 256
#endif
#ifndef BM
#define BM 128
#endif
#ifndef BN
#define BN 128
#endif
#ifndef BK
#define BK 8
#endif
#ifndef WM
#define WM 64
#endif
#ifndef WN
#define WN 32
#endif
#ifndef WNITER
#define WNITER 2
#endif
#ifndef TM
#define TM 4
#endif
#ifndef TN
#define TN 4
#endif
#ifndef MIN_BLOCKS
#define MIN_BLOCKS 2
#endif

extern "C" __global__ __launch_bounds__(THREADS, MIN_BLOCKS) void
sgemm_double_buffer(float* __restrict__ C, const float* __restrict__ A, const float* __restrict__ B,
                    int M, int N, int K, float alpha, float beta, int trans_a, int trans_b) {
    __shared__ __align__(16) float As[2][BK * BM];
    __shared__ __align__(16) float Bs[2][BK * BN];
    const int tid = threadIdx.x;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    OpTile<float, BM, BK, 1, BM, THREADS, true> a_tile(A, M, K, trans_a);
    OpTile<float, BK, BN, BN, 1, THREADS, true> b_tile(B, K, N, trans_b);
    WarpTile<BM, BN, BK, WM, WN, WNITER, TM, TN> tile(tid);
    a_tile.load(As[0], row0, 0, tid);
    b_tile.load(Bs[0], 0, col0, tid);
    __syncthreads();
    int stage = 0;
    for (int k0 = 0; k0 < K; k0 += BK) {
        // Stage s ^ 1 was last read before the previous barrier, so it is free to refill now.
        const bool more = k0 + BK < K;
        if (more) {
            a_tile.fetch(row0, k0 + BK, tid);
            b_tile.fetch(k0 + BK, col0, tid);
        }
        tile.multiply(As[stage], Bs[stage]);
        if (more) {
            a_tile.store(As[stage ^ 1], tid);
            b_tile.store(Bs[stage ^ 1], tid);
        }
        __syncthreads();
        stage ^= 1;
    }
    tile.store(C, M, N, row0, col0, alpha, beta);
}
