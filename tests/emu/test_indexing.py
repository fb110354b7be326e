"""Index arithmetic (item 1)."""
import numpy as np
import pytest

from warpbench import emu


def expected_indices(grid, block, total):
    rows = []
    for bz in range(grid[2]):
        for by in range(grid[1]):
            for bx in range(grid[0]):
                for tz in range(block[2]):
                    for ty in range(block[1]):
                        for tx in range(block[0]):
                            rows.append([tx, ty, tz, bx, by, bz, *block, *grid])
    return np.array(rows[:total], np.int32)


@pytest.mark.parametrize("grid,block", [((3, 2, 2), (5, 3, 2)), ((7, 1, 1), (48, 1, 1)),
                                        ((2, 3, 1), (4, 4, 4))])
def test_builtin_variables(kernels, schedule, grid, block):
    threads = np.prod(grid) * np.prod(block)
    total = int(threads) - 7          # the last block is partial
    out = emu.zeros((total, 12), np.int32)
    kernels("indexing.cu").get_function("write_indices")(out, np.int32(total), grid=grid, block=block,
                                                         **schedule)
    np.testing.assert_array_equal(out.get(), expected_indices(grid, block, total))


@pytest.mark.parametrize("block", [(48, 1, 1), (10, 5, 1), (32, 2, 1)])
def test_lanes_and_partial_warps(kernels, schedule, block):
    threads = block[0] * block[1]
    out = emu.zeros((threads, 3), np.uint32)
    kernels("indexing.cu").get_function("lanes")(out, grid=1, block=block, **schedule)
    rank = np.arange(threads)
    live = [min(32, threads - 32 * w) for w in rank // 32]
    expected_mask = [0xFFFFFFFF if n == 32 else (1 << n) - 1 for n in live]
    np.testing.assert_array_equal(out.get(), np.stack([rank % 32, rank // 32, expected_mask], 1))
