// Warp shuffles, votes and rendezvous, and the warp bugs the emulator must report.

// Every shuffle, width and lane argument at once: out[((w * 33 + a) * 4 + kind) * n + t]
// for width 2^w and argument a (the source lane of __shfl_sync is a - 3).
template <typename T>
__global__ void shuffle_table(const T* in, T* out) {
    const int n = blockDim.x, t = threadIdx.x;
    const T v = in[t];
    int k = 0;
    for (int width = 1; width <= 32; width *= 2) {
        for (int a = 0; a <= 32; ++a, ++k) {
            out[(k * 4 + 0) * n + t] = __shfl_sync(0xffffffffu, v, a - 3, width);
            out[(k * 4 + 1) * n + t] = __shfl_up_sync(0xffffffffu, v, a, width);
            out[(k * 4 + 2) * n + t] = __shfl_down_sync(0xffffffffu, v, a, width);
            out[(k * 4 + 3) * n + t] = __shfl_xor_sync(0xffffffffu, v, a, width);
        }
    }
}

extern "C" __global__ void partial_masks(const int* in, int* out) {
    const int t = threadIdx.x, lane = t & 31, v = in[t];
    int half = -1, even = -1, single = -1;
    if (lane < 16) half = __shfl_down_sync(0x0000ffffu, v, 1, 16);
    if ((lane & 1) == 0) even = __shfl_xor_sync(0x55555555u, v, 2);
    if (lane == 5) single = __shfl_sync(1u << 5, v, 5);
    out[3 * t] = half;
    out[3 * t + 1] = even;
    out[3 * t + 2] = single;
}

// Only warp 1 shuffles, then the whole block meets at a barrier.
extern "C" __global__ void one_warp_reduces(const float* in, float* out) {
    __shared__ float s[64];
    float v = in[threadIdx.x];
    if (threadIdx.x / 32 == 1)
        for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xffffffffu, v, offset);
    s[threadIdx.x] = v;
    __syncthreads();
    out[threadIdx.x] = s[threadIdx.x];
}

// Tiles of 16 lanes reduce independently (disjoint masks pending at once).
extern "C" __global__ void half_warp_sums(const int* in, int* out) {
    const int lane = threadIdx.x & 31;
    const unsigned mask = lane < 16 ? 0x0000ffffu : 0xffff0000u;
    int v = in[threadIdx.x];
    for (int offset = 8; offset > 0; offset /= 2) v += __shfl_xor_sync(mask, v, offset, 16);
    out[threadIdx.x] = v;
}

extern "C" __global__ void votes(const int* pred, unsigned* out) {
    __shared__ int s[64];
    const int t = threadIdx.x, lane = t & 31, p = pred[t];
    out[6 * t] = __ballot_sync(0xffffffffu, p);
    out[6 * t + 1] = __any_sync(0xffffffffu, p);
    out[6 * t + 2] = __all_sync(0xffffffffu, p);
    s[t] = 10 * p + lane;
    __syncwarp();
    out[6 * t + 3] = s[(t & ~31) | ((lane + 1) & 31)];
    out[6 * t + 4] = __match_any_sync(0xffffffffu, p);
    out[6 * t + 5] = __reduce_add_sync(0xffffffffu, (unsigned)p);
}

// mode 0: lanes 24..31 exit, the others shuffle with a mask without them;
// mode 1: the same with a full mask (exited lanes are dropped from it).
extern "C" __global__ void exited_lanes(const int* in, int* out, int mode) {
    const int lane = threadIdx.x & 31;
    if (lane >= 24) return;
    out[threadIdx.x] = __shfl_xor_sync(mode == 0 ? 0x00ffffffu : 0xffffffffu, in[threadIdx.x], 1);
}

extern "C" __global__ void shuffle_while_lane_at_barrier(float* out) {
    float v = threadIdx.x;
    if (threadIdx.x == 7)
        __syncthreads();  // LANE7_BARRIER
    else
        v = __shfl_xor_sync(0xffffffffu, v, 1);  // FULL_MASK_SHUFFLE
    out[threadIdx.x] = v;
}

// mode 0: lanes 16..31 name a mask without themselves; mode 1: overlapping masks differ;
// mode 2: the lanes reach __shfl_xor_sync at two different lines.
extern "C" __global__ void warp_mismatch(int* out, int mode) {
    const int lane = threadIdx.x & 31;
    int v = lane;
    if (mode == 0) {
        v = __shfl_xor_sync(lane < 16 ? 0xffffffffu : 0x0000ffffu, v, 1);  // NOT_IN_MASK
    } else if (mode == 1) {
        v = __shfl_xor_sync(lane < 16 ? 0xffffffffu : 0xffff0000u, v, 1);  // OVERLAPPING_MASKS
    } else if (lane < 16) {
        v = __shfl_xor_sync(0xffffffffu, v, 1);  // FIRST_SITE
    } else {
        v = __shfl_xor_sync(0xffffffffu, v, 2);  // SECOND_SITE
    }
    out[threadIdx.x] = v;
}
