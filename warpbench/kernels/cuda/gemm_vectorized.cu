// GEMM step 5: vectorised memory access (siboehm kernel 6). Step 4 plus
//  - As stored transposed (BK x BM), so a thread's TM values of op(A) for one k are contiguous
//    and, like its TN values of op(B), come in float4 shared-memory loads;
//  - float4 global loads of the tiles and float4 stores of C.
// Alignment: the float4 paths run when a matrix is 16-byte aligned with rows of a multiple of 4
// elements (gemm_vec4_ok); otherwise the same kernel falls back to scalar accesses, so any
// M, N, K and any base address work.
#include "gemm_common.cuh"

// siboehm's configuration: 128 x 128 x 8 block tile and 8 x 8 thread tile (256 threads).
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
sgemm_vectorized(float* __restrict__ C, const float* __restrict__ A, const float* __restrict__ B,
                 int M, int N, int K, float alpha, float beta, int trans_a, int trans_b) {
    __shared__ __align__(16) float As[BK * BM];
    __shared__ __align__(16) float Bs[BK * BN];
    const int tid = threadIdx.x;
    const int thread_col = tid % (BN / TN), thread_row = tid / (BN / TN);
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    // op(A)[m, k] goes to As[k * BM + m]: the loader's strides do the transposition.
    OpTile<float, BM, BK, 1, BM, THREADS, true> a_tile(A, M, K, trans_a);
    OpTile<float, BK, BN, BN, 1, THREADS, true> b_tile(B, K, N, trans_b);
    float acc[TM][TN] = {};
    float a_frag[TM], b_frag[TN];
    for (int k0 = 0; k0 < K; k0 += BK) {
        a_tile.load(As, row0, k0, tid);
        b_tile.load(Bs, k0, col0, tid);
        __syncthreads();
#pragma unroll
        for (int k = 0; k < BK; ++k) {
            gemm_load_frag<TM>(a_frag, &As[k * BM + thread_row * TM]);
            gemm_load_frag<TN>(b_frag, &Bs[k * BN + thread_col * TN]);
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j)
                    acc[i][j] += a_frag[i] * b_frag[j];
        }
        __syncthreads();
    }
    const bool c_vec = gemm_vec4_ok(C, N);
#pragma unroll
    for (int i = 0; i < TM; ++i)
        gemm_store_row<TN>(C, M, N, row0 + thread_row * TM + i, col0 + thread_col * TN, acc[i], alpha, beta,
                           c_vec);
}
