// The classic transpose study (Harris, "An Efficient Matrix Transpose in CUDA C/C++"):
// out (cols x rows) = in (rows x cols)^T, row-major float32, any shape.
// A block of TILE_DIM x BLOCK_ROWS threads moves one TILE_DIM x TILE_DIM tile, each thread
// handling TILE_DIM / BLOCK_ROWS elements, so the grid is ceil(cols/TILE) x ceil(rows/TILE).
#include "common.cuh"

#ifndef TILE_DIM
#define TILE_DIM 32
#endif
#ifndef BLOCK_ROWS
#define BLOCK_ROWS 8
#endif

// Reads are coalesced along rows of `in`; writes stride by `rows` floats: the baseline.
extern "C" __global__ void transpose_naive(float* __restrict__ out, const float* __restrict__ in,
                                           int rows, int cols) {
    int x = blockIdx.x * TILE_DIM + threadIdx.x;
    int y = blockIdx.y * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < cols && y + j < rows)
            out[(size_t)x * rows + y + j] = in[(size_t)(y + j) * cols + x];
}

// Stage the tile in shared memory so that both the global read and the global write are
// coalesced. With PAD = 0 a column read of the tile hits one bank 32 times (32-way
// conflict); PAD = 1 skews each row by one bank and removes the conflicts.
template <int PAD>
__device__ __forceinline__ void transpose_tiled(float* __restrict__ out, const float* __restrict__ in,
                                                int rows, int cols) {
    __shared__ float tile[TILE_DIM][TILE_DIM + PAD];
    int x = blockIdx.x * TILE_DIM + threadIdx.x;
    int y = blockIdx.y * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < cols && y + j < rows)
            tile[threadIdx.y + j][threadIdx.x] = in[(size_t)(y + j) * cols + x];
    __syncthreads();
    x = blockIdx.y * TILE_DIM + threadIdx.x;
    y = blockIdx.x * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < rows && y + j < cols)
            out[(size_t)(y + j) * rows + x] = tile[threadIdx.x][threadIdx.y + j];
}

extern "C" __global__ void transpose_coalesced(float* __restrict__ out, const float* __restrict__ in,
                                               int rows, int cols) {
    transpose_tiled<0>(out, in, rows, cols);
}

extern "C" __global__ void transpose_padded(float* __restrict__ out, const float* __restrict__ in,
                                            int rows, int cols) {
    transpose_tiled<1>(out, in, rows, cols);
}
