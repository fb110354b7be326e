// Schedule-dependent kernels the determinism checker must catch (or, for the lost update,
// cannot: see test_races.py).
#ifndef TILE
#define TILE 32
#endif
#ifndef ROWS
#define ROWS 8
#endif

// Coalesced transpose through a padded tile, TILE x ROWS threads per block, any size.
extern "C" __global__ void transpose(const float* in, float* out, int rows, int cols) {
    __shared__ float tile[TILE][TILE + 1];
    int x = blockIdx.x * TILE + threadIdx.x, y = blockIdx.y * TILE + threadIdx.y;
    for (int j = 0; j < TILE; j += ROWS)
        if (x < cols && y + j < rows) tile[threadIdx.y + j][threadIdx.x] = in[(y + j) * cols + x];
#ifndef MISSING_BARRIER
    __syncthreads();
#endif
    x = blockIdx.y * TILE + threadIdx.x;
    y = blockIdx.x * TILE + threadIdx.y;
    for (int j = 0; j < TILE; j += ROWS)
        if (x < rows && y + j < cols) out[(y + j) * rows + x] = tile[threadIdx.x][threadIdx.y + j];
}

// Every thread increments the same counter without an atomic.
extern "C" __global__ void lost_update(int* counter) {
    *counter = *counter + 1;
}

// Two blocks write different values to the same element: the last block wins.
extern "C" __global__ void inter_block_race(int* out) {
    out[threadIdx.x] = blockIdx.x;
}
