// Every thread writes its built-in variables; 3-D grids and blocks, a partial last block.
extern "C" __global__ void write_indices(int* out, int total) {
    const int threads = blockDim.x * blockDim.y * blockDim.z;
    const int block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    const int local = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    const int id = block * threads + local;
    if (id >= total) return;
    int* o = out + 12 * id;
    o[0] = threadIdx.x; o[1] = threadIdx.y; o[2] = threadIdx.z;
    o[3] = blockIdx.x; o[4] = blockIdx.y; o[5] = blockIdx.z;
    o[6] = blockDim.x; o[7] = blockDim.y; o[8] = blockDim.z;
    o[9] = gridDim.x; o[10] = gridDim.y; o[11] = gridDim.z;
}

// Lane, warp and the live-lane mask, for blocks that are not a multiple of 32.
extern "C" __global__ void lanes(unsigned* out) {
    const unsigned rank = threadIdx.x + blockDim.x * threadIdx.y;
    out[3 * rank] = rank % warpSize;
    out[3 * rank + 1] = rank / warpSize;
    out[3 * rank + 2] = __activemask();
}
