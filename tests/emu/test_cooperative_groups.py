"""The cooperative_groups shim: thread block and warp tiles."""
import numpy as np
import pytest

from warpbench import emu

SOURCE = r"""
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
namespace cg = cooperative_groups;

extern "C" __global__ void block_reduce(const float* in, float* out) {
    __shared__ float warp_sums[32];
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);
    float v = in[blockIdx.x * blockDim.x + block.thread_rank()];
    for (int offset = warp.size() / 2; offset > 0; offset /= 2) v += warp.shfl_down(v, offset);
    if (warp.thread_rank() == 0) warp_sums[warp.meta_group_rank()] = v;
    block.sync();
    if (warp.meta_group_rank() == 0) {
        v = warp.thread_rank() < warp.meta_group_size() ? warp_sums[warp.thread_rank()] : 0.0f;
        v = cg::reduce(warp, v, cg::plus<float>());
        if (block.thread_rank() == 0) out[blockIdx.x] = v;
    }
}

extern "C" __global__ void tile_votes(const int* pred, unsigned* out) {
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<8> tile = cg::tiled_partition<8>(block);
    const int p = pred[block.thread_rank()];
    unsigned* o = out + 6 * block.thread_rank();
    o[0] = tile.ballot(p);
    o[1] = tile.any(p);
    o[2] = tile.all(p);
    o[3] = tile.shfl(block.thread_rank(), 0);
    o[4] = tile.shfl_up(block.thread_rank(), 1);
    o[5] = tile.shfl_xor(block.thread_rank(), 3);
    tile.sync();
}
"""


@pytest.fixture(scope="module")
def module():
    return emu.compile_module(SOURCE, filename="cg.cu")


def test_block_reduce_with_tiles(module, schedule):
    x = np.random.default_rng(3).integers(-50, 50, 4 * 256).astype(np.float32)
    out = emu.empty(4, np.float32)
    module.get_function("block_reduce")(emu.to_device(x), out, grid=4, block=256, **schedule)
    np.testing.assert_array_equal(out.get(), x.reshape(4, 256).sum(1))


def test_tile_of_eight(module, schedule):
    p = np.random.default_rng(4).integers(0, 2, 64).astype(np.int32)
    out = emu.empty((64, 6), np.uint32)
    module.get_function("tile_votes")(emu.to_device(p), out, grid=1, block=64, **schedule)
    rank = np.arange(64)
    base = rank // 8 * 8
    ballots = [sum(int(p[b + i]) << i for i in range(8)) for b in base]
    expected = np.stack([ballots, [p[b:b + 8].any() for b in base], [p[b:b + 8].all() for b in base], base,
                         np.where(rank % 8 >= 1, rank - 1, rank), base + ((rank % 8) ^ 3)], 1)
    np.testing.assert_array_equal(out.get(), expected)
