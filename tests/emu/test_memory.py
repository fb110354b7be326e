"""Device arrays: each a mapping of its own, data 256-byte aligned between canaries and
guard regions, known to the address map until collected."""
import gc

import numpy as np
import pytest

from warpbench import emu
from warpbench.emu import addresses
from warpbench.emu.memory import BACK_GUARD, FRONT_GUARD


@pytest.mark.parametrize("count", [0, 1, 1000, 4096 // 4, 70000])
def test_layout(count):
    array = emu.zeros(count, np.float32)
    region = addresses.region_at(array.ptr)
    assert array.ptr % 256 == 0 and region.owner() is array
    assert (region.data_start, region.data_end) == (array.ptr, array.ptr + 4 * count)
    assert addresses.region_at(array.ptr - FRONT_GUARD + 1) == region
    assert addresses.region_at(array.ptr + 4 * count + BACK_GUARD - 1) == region
    front, back = array.redzones()[0], array.redzones()[1]
    assert front[0] + front[2] == array.ptr and back[0] == array.ptr + 4 * count and back[2] >= 256
    assert (back[0] + back[2]) % 4096 == 0          # the canary runs up to the guard region


def test_allocations_are_forgotten_when_collected():
    array = emu.zeros(10, np.float32)
    view = array[2:]
    address = array.ptr
    del array
    gc.collect()
    assert addresses.region_at(address).owner() is view._root   # a view keeps the allocation
    del view
    gc.collect()
    assert addresses.region_at(address) is None


def test_data_outlives_its_array():
    data = emu.to_device(np.arange(5.0)).data
    gc.collect()
    assert data.tolist() == [0, 1, 2, 3, 4]


def test_an_impossible_size_is_a_one_line_error():
    with pytest.raises(emu.DeviceMemoryError, match=r"cannot map \d+ bytes for a 562949953421312-byte device array"):
        emu.empty(2**47, np.float32)
