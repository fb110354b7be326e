// The warp-level tiling shared by sgemm_warptile and sgemm_double_buffer (siboehm kernel 10).
//
// A BM x BN block tile is split into (BM / WM) x (BN / WN) warp tiles, one per warp. A warp
// walks its WM x WN tile in WMITER x WNITER sub-tiles of WSUBM x WSUBN, in which each lane owns a
// TM x TN patch. Every lane therefore computes (WMITER * TM) x (WNITER * TN) results, and the
// lanes of one warp read neighbouring shared-memory addresses (few bank conflicts, broadcasts
// within a float4), which is what the plain 2-D thread tile of step 4 lacks.
#pragma once

#include "gemm_common.cuh"

template <int BlockM, int BlockN, int BlockK, int WarpM, int WarpN, int WarpNIter, int ThreadM, int ThreadN>
struct WarpTile {
    static constexpr int kWarpMIter = WarpM * WarpN / (32 * ThreadM * ThreadN * WarpNIter);
    static constexpr int kSubM = WarpM / kWarpMIter;
    static constexpr int kSubN = WarpN / WarpNIter;
    static constexpr int kRows = kWarpMIter * ThreadM;  // results per lane along M
    static constexpr int kCols = WarpNIter * ThreadN;  // and along N

    int row_in_block, col_in_block;  // this lane's first result, relative to the block tile
    float acc[kRows][kCols];

    __device__ __forceinline__ explicit WarpTile(int tid) {
        const int warp = tid / 32, lane = tid % 32;
        const int warp_row = warp / (BlockN / WarpN), warp_col = warp % (BlockN / WarpN);
        const int lane_row = lane / (kSubN / ThreadN), lane_col = lane % (kSubN / ThreadN);
        row_in_block = warp_row * WarpM + lane_row * ThreadM;
        col_in_block = warp_col * WarpN + lane_col * ThreadN;
#pragma unroll
        for (int i = 0; i < kRows; ++i)
#pragma unroll
            for (int j = 0; j < kCols; ++j)
                acc[i][j] = 0.f;
    }

    // acc += one BlockK-deep slice in shared memory: As is BlockK x BlockM (transposed), Bs is
    // BlockK x BlockN.
    // The k loop is left to the compiler's unrolling heuristics on purpose: forcing a full unroll
    // lets the scheduler hoist later fragment loads and costs ~30 registers, which at the default
    // configuration means two resident blocks per SM instead of three.
    __device__ __forceinline__ void multiply(const float* As, const float* Bs) {
        float a_frag[kRows], b_frag[kCols];
        for (int k = 0; k < BlockK; ++k) {
#pragma unroll
            for (int sm = 0; sm < kWarpMIter; ++sm)
                gemm_load_frag<ThreadM>(&a_frag[sm * ThreadM], &As[k * BlockM + row_in_block + sm * kSubM]);
#pragma unroll
            for (int sn = 0; sn < WarpNIter; ++sn)
                gemm_load_frag<ThreadN>(&b_frag[sn * ThreadN], &Bs[k * BlockN + col_in_block + sn * kSubN]);
#pragma unroll
            for (int i = 0; i < kRows; ++i)
#pragma unroll
                for (int j = 0; j < kCols; ++j)
                    acc[i][j] += a_frag[i] * b_frag[j];
        }
    }

    // C = alpha * acc + beta * C for this lane's results of the block tile at (row0, col0).
    __device__ __forceinline__ void store(float* C, int M, int N, int row0, int col0, float alpha,
                                          float beta) const {
        const bool c_vec = gemm_vec4_ok(C, N);
#pragma unroll
        for (int sm = 0; sm < kWarpMIter; ++sm)
#pragma unroll
            for (int i = 0; i < ThreadM; ++i)
#pragma unroll
                for (int sn = 0; sn < WarpNIter; ++sn)
                    gemm_store_row<ThreadN>(C, M, N, row0 + row_in_block + sm * kSubM + i,
                                            col0 + col_in_block + sn * kSubN, &acc[sm * ThreadM + i][sn * ThreadN],
                                            alpha, beta, c_vec);
    }
};
