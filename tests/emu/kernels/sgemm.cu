// Tiled SGEMM, C = A * B with A (m x k), B (k x n), C (m x n), row-major; any size.
// SKIP_SECOND_BARRIER plants the classic write-after-read race on the tiles.
#ifndef TILE
#define TILE 16
#endif

extern "C" __global__ void sgemm_tiled(const float* __restrict__ a, const float* __restrict__ b,
                                       float* __restrict__ c, int m, int n, int k) {
    __shared__ float as[TILE][TILE];
    __shared__ float bs[TILE][TILE];
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int row = blockIdx.y * TILE + ty, col = blockIdx.x * TILE + tx;
    float acc = 0.0f;
    for (int t = 0; t < k; t += TILE) {
        as[ty][tx] = (row < m && t + tx < k) ? a[row * k + t + tx] : 0.0f;
        bs[ty][tx] = (t + ty < k && col < n) ? b[(t + ty) * n + col] : 0.0f;
        __syncthreads();
#pragma unroll
        for (int i = 0; i < TILE; ++i) acc += as[ty][i] * bs[i][tx];
#ifndef SKIP_SECOND_BARRIER
        __syncthreads();
#endif
    }
    if (row < m && col < n) c[row * n + col] = acc;
}
