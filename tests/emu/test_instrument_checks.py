"""Racecheck, initcheck and bounds through any pointer, in the instrumented build."""
import numpy as np
import pytest

from warpbench import emu
from tests.emu.support import KERNELS, line_of

STUDY = KERNELS / "study.cu"


def test_transpose_missing_its_barrier_is_a_shared_race(kernels):
    f = kernels("study.cu", defines={"MISSING_BARRIER": None}).get_function("transpose_coalesced")
    x = np.ones((64, 64), np.float32)
    with pytest.raises(emu.RaceDetected, match="kernel 'transpose_coalesced': data race on shared memory") as info:
        f(emu.empty((64, 64), np.float32), emu.to_device(x), np.int32(64), grid=(2, 2), block=(32, 8),
          racecheck=True)
    store = line_of(STUDY, "tile[threadIdx.y + j][threadIdx.x] = in")
    load = line_of(STUDY, "= tile[threadIdx.x][threadIdx.y + j]")
    assert {info.value.line, info.value.other_line} == {store, load}
    assert info.value.thread != info.value.other_thread and not info.value.inter_block


def test_reduction_missing_its_barrier_is_a_shared_race(kernels):
    f = kernels("study.cu", defines={"MISSING_BARRIER": None}).get_function("reduce_sum")
    with pytest.raises(emu.RaceDetected, match=r"s\[t\]|shared memory"):
        f(emu.to_device(np.ones(512, np.float32)), emu.empty(2, np.float32), grid=2, block=256, racecheck=True)


@pytest.mark.parametrize("name, block", [("transpose_coalesced", (32, 8)), ("transpose_padded", (32, 8))])
def test_correct_kernels_pass_racecheck_and_initcheck(kernels, name, block):
    x = np.arange(64 * 64, dtype=np.float32).reshape(64, 64)
    out = emu.empty((64, 64), np.float32)
    kernels("study.cu").get_function(name)(out, emu.to_device(x), np.int32(64), grid=(2, 2), block=block,
                                           racecheck=True, initcheck=True)
    np.testing.assert_array_equal(out.get(), x.T)


def test_correct_reduction_passes_racecheck(kernels):
    out = emu.empty(2, np.float32)
    kernels("study.cu").get_function("reduce_sum")(emu.to_device(np.ones(512, np.float32)), out, grid=2,
                                                   block=256, racecheck=True, initcheck=True)
    np.testing.assert_array_equal(out.get(), [256, 256])


def test_atomics_do_not_race_but_a_plain_read_of_their_target_does():
    module = emu.compile_module("""
        extern "C" __global__ void count(int* c) { atomicAdd(c, 1); }
        extern "C" __global__ void count_and_peek(int* c, int* seen) { atomicAdd(c, 1); seen[threadIdx.x] = *c; }
    """)
    counter = emu.zeros(1, np.int32)
    module.get_function("count")(counter, grid=1, block=64, racecheck=True)
    assert counter.get()[0] == 64
    with pytest.raises(emu.RaceDetected, match="not both atomically"):
        module.get_function("count_and_peek")(counter, emu.zeros(64, np.int32), grid=1, block=64, racecheck=True)


def test_race_between_blocks_is_reported_as_such(kernels):
    with pytest.raises(emu.RaceDetected, match=r"parameter 0 'out'.*another block") as info:
        kernels("races.cu").get_function("inter_block_race")(emu.zeros(32, np.int32), grid=2, block=32,
                                                            racecheck=True)
    assert info.value.inter_block and info.value.block != info.value.other_block


def test_warp_synchronous_exchange_after_syncwarp_is_not_a_race():
    module = emu.compile_module("""
        extern "C" __global__ void rotate(int* out) {
            __shared__ int s[32];
            s[threadIdx.x] = threadIdx.x;
            __syncwarp();
            out[threadIdx.x] = s[(threadIdx.x + 1) % 32];
        }
    """)
    out = emu.empty(32, np.int32)
    module.get_function("rotate")(out, grid=1, block=32, racecheck=True, initcheck=True)
    np.testing.assert_array_equal(out.get(), (np.arange(32) + 1) % 32)


def test_initcheck_finds_a_read_of_shared_memory_nothing_wrote():
    module = emu.compile_module("""
        extern "C" __global__ void half_filled(float* out) {
            __shared__ float s[64];
            if (threadIdx.x < 32) s[threadIdx.x] = 1.0f;
            __syncthreads();
            out[threadIdx.x] = s[threadIdx.x];
        }
    """, filename="half.cu")
    with pytest.raises(emu.UninitializedRead, match=r"reads shared memory at half.cu:6, which nothing wrote"):
        module.get_function("half_filled")(emu.empty(64, np.float32), grid=1, block=64, initcheck=True)


def test_initcheck_finds_a_read_of_an_unwritten_device_array():
    module = emu.compile_module('extern "C" __global__ void copy(float* o, const float* i) '
                                '{ o[threadIdx.x] = i[threadIdx.x]; }')
    with pytest.raises(emu.UninitializedRead, match="parameter 1 'i'"):
        module.get_function("copy")(emu.empty(32, np.float32), emu.empty(32, np.float32), grid=1, block=32,
                                    initcheck=True)


STRUCT_SOURCE = """
struct View { float* data; int n; };
extern "C" __global__ void through_struct(View v) { v.data[threadIdx.x] = 1.0f; }
extern "C" __global__ void through_address(long long address, int n) {
    float* p = (float*)address;
    if (threadIdx.x <= n) p[threadIdx.x] = 2.0f;
}
"""


def test_off_by_one_write_through_a_struct_member_is_caught():
    module = emu.compile_module(STRUCT_SOURCE, filename="view.cu")
    array = emu.zeros(31, np.float32)
    view = np.array([(array.ptr, 31, 0)], dtype=[("data", np.uint64), ("n", np.int32), ("pad", np.int32)])
    f = module.get_function("through_struct")
    with pytest.raises(emu.OutOfBoundsAccess, match=r"out-of-bounds write of .*byte \+124 of 124.* at view.cu:3"):
        f(view[0], grid=1, block=32, racecheck=True)


def test_off_by_one_write_through_an_integer_address_is_caught():
    module = emu.compile_module(STRUCT_SOURCE, filename="view.cu")
    array = emu.zeros(64, np.float32)
    with pytest.raises(emu.OutOfBoundsAccess, match=r"thread \(32, 0, 0\)"):
        module.get_function("through_address")(np.int64(array.ptr + 32 * 4), np.int32(32), grid=1, block=33,
                                               racecheck=True)
