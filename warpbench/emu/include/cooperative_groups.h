/* The basic cooperative groups for emulated kernels: the thread block and warp tiles.
 * Every member that synchronises or exchanges data takes its caller's source position as
 * defaulted arguments, so diagnostics point at the kernel's line, not at this header.
 * Grid and multi-grid groups are not provided (blocks run one after another). */
#ifndef WBEMU_COOPERATIVE_GROUPS_H
#define WBEMU_COOPERATIVE_GROUPS_H

namespace cooperative_groups {

class thread_block {
public:
    void sync(WBEMU_CALL_SITE) const { __syncthreads(WBEMU_SITE); }
    unsigned thread_rank() const {
        return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    }
    unsigned size() const { return blockDim.x * blockDim.y * blockDim.z; }
    unsigned num_threads() const { return size(); }
    dim3 group_index() const { return dim3(blockIdx.x, blockIdx.y, blockIdx.z); }
    dim3 thread_index() const { return dim3(threadIdx.x, threadIdx.y, threadIdx.z); }
    dim3 group_dim() const { return blockDim; }
    dim3 dim_threads() const { return blockDim; }
};

inline thread_block this_thread_block() { return thread_block(); }

/* A tile of Size consecutive lanes of a warp (the block's threads in rank order). */
template <unsigned Size>
class thread_block_tile {
    static_assert(Size >= 1 && Size <= 32 && (Size & (Size - 1)) == 0,
                  "tiled_partition<N>: N must be a power of two no larger than 32");

    static unsigned block_rank() { return this_thread_block().thread_rank(); }
    static unsigned first_lane() { return block_rank() % 32u & ~(Size - 1u); }

public:
    unsigned mask() const { return (Size == 32 ? 0xffffffffu : (1u << Size) - 1u) << first_lane(); }
    unsigned thread_rank() const { return block_rank() & (Size - 1u); }
    static constexpr unsigned size() { return Size; }
    static constexpr unsigned num_threads() { return Size; }
    unsigned meta_group_rank() const { return block_rank() / Size; }
    unsigned meta_group_size() const { return (this_thread_block().size() + Size - 1u) / Size; }

    void sync(WBEMU_CALL_SITE) const { __syncwarp(mask(), WBEMU_SITE); }

    template <class T>
    T shfl(T var, int src_rank, WBEMU_CALL_SITE) const {
        return __shfl_sync(mask(), var, src_rank, Size, WBEMU_SITE);
    }
    template <class T>
    T shfl_down(T var, unsigned delta, WBEMU_CALL_SITE) const {
        return __shfl_down_sync(mask(), var, delta, Size, WBEMU_SITE);
    }
    template <class T>
    T shfl_up(T var, unsigned delta, WBEMU_CALL_SITE) const {
        return __shfl_up_sync(mask(), var, delta, Size, WBEMU_SITE);
    }
    template <class T>
    T shfl_xor(T var, unsigned lane_mask, WBEMU_CALL_SITE) const {
        return __shfl_xor_sync(mask(), var, static_cast<int>(lane_mask), Size, WBEMU_SITE);
    }
    int any(int predicate, WBEMU_CALL_SITE) const { return __any_sync(mask(), predicate, WBEMU_SITE); }
    int all(int predicate, WBEMU_CALL_SITE) const { return __all_sync(mask(), predicate, WBEMU_SITE); }
    /* Bit i stands for the tile's thread of rank i. */
    unsigned ballot(int predicate, WBEMU_CALL_SITE) const {
        return __ballot_sync(mask(), predicate, WBEMU_SITE) >> first_lane();
    }
};

template <unsigned Size, class Parent>
thread_block_tile<Size> tiled_partition(const Parent&) {
    return thread_block_tile<Size>();
}

template <class Group>
void sync(const Group& group, WBEMU_CALL_SITE) {
    group.sync(WBEMU_SITE);
}

}  // namespace cooperative_groups

#endif
