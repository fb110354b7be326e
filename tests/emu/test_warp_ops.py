"""Warp-level primitives (items 4, 5, 6, 7, 19, 20)."""
import numpy as np
import pytest

from warpbench import emu
from tests.emu.support import KERNELS, line_of

TYPES = {"int": np.int32, "float": np.float32, "double": np.float64, "long long": np.int64}


def source_lane(kind: int, lane: int, arg: int, width: int) -> int:
    """CUDA's documented rules: a source outside the caller's segment returns its own value."""
    if kind == 0:                                   # __shfl_sync: srcLane modulo width
        return lane // width * width + arg % width
    if kind == 1:                                   # up
        return lane - arg if lane % width >= arg else lane
    if kind == 2:                                   # down
        return lane + arg if lane % width + arg < width else lane
    other = lane ^ arg                              # xor: later segments give the own value
    return lane if other // width > lane // width else other


@pytest.mark.parametrize("ctype", list(TYPES))
def test_shuffle_rules(kernels, schedule, ctype):
    mod = kernels("warp.cu", name_expressions=[f"shuffle_table<{c}>" for c in TYPES])
    dtype, n = TYPES[ctype], 64
    values = (np.arange(n) * 3 + 1000).astype(dtype) + (dtype(0.5) if dtype == np.float64 else 0)
    if dtype == np.int64:
        values += 1 << 40
    out = emu.empty((6 * 33 * 4, n), dtype)
    mod.get_function(f"shuffle_table<{ctype}>")(emu.to_device(values), out, grid=1, block=n, **schedule)
    result, expected = out.get(), np.empty_like(out.get())
    for k, (width, arg) in enumerate((1 << w, a) for w in range(6) for a in range(33)):
        for kind in range(4):
            lane_arg = arg - 3 if kind == 0 else arg
            sources = [32 * (t // 32) + source_lane(kind, t % 32, lane_arg, width) for t in range(n)]
            expected[k * 4 + kind] = values[sources]
    np.testing.assert_array_equal(result, expected)


def test_partial_masks(kernels, schedule):
    v = np.arange(100, 164, dtype=np.int32)
    out = emu.empty((64, 3), np.int32)
    kernels("warp.cu").get_function("partial_masks")(emu.to_device(v), out, grid=1, block=64, **schedule)
    lane = np.arange(64) % 32
    half = np.where(lane < 16, np.where(lane % 16 < 15, np.roll(v, -1), v), -1)
    even = np.where(lane % 2 == 0, v[np.arange(64) ^ 2], -1)
    single = np.where(lane == 5, v, -1)
    np.testing.assert_array_equal(out.get(), np.stack([half, even, single], 1))


def test_only_one_warp_shuffles_before_barrier(kernels, schedule):
    x = np.arange(64, dtype=np.float32)
    out = emu.empty(64, np.float32)
    kernels("warp.cu").get_function("one_warp_reduces")(emu.to_device(x), out, grid=1, block=64, **schedule)
    expected = x.copy()
    warp = expected[32:].copy()
    for offset in (16, 8, 4, 2, 1):
        warp = warp + np.where(np.arange(32) + offset < 32, np.roll(warp, -offset), warp)
    expected[32:] = warp
    np.testing.assert_array_equal(out.get(), expected)


def test_disjoint_masks_pending_together(kernels, schedule):
    x = np.arange(96, dtype=np.int32) ** 2
    out = emu.empty(96, np.int32)
    kernels("warp.cu").get_function("half_warp_sums")(emu.to_device(x), out, grid=1, block=96, **schedule)
    np.testing.assert_array_equal(out.get(), np.repeat(x.reshape(-1, 16).sum(1), 16))


@pytest.mark.parametrize("pattern", ["random", "ones", "zeros"])
def test_votes_syncwarp_match_reduce(kernels, schedule, pattern):
    rng = np.random.default_rng(4)
    p = {"random": rng.integers(0, 2, 64), "ones": np.ones(64), "zeros": np.zeros(64)}[pattern].astype(np.int32)
    out = emu.empty((64, 6), np.uint32)
    kernels("warp.cu").get_function("votes")(emu.to_device(p), out, grid=1, block=64, **schedule)
    lane = np.arange(64) % 32
    for w in range(2):
        bits = p[32 * w:32 * w + 32]
        ballot = int(sum(int(b) << i for i, b in enumerate(bits)))
        rows = out.get()[32 * w:32 * w + 32]
        assert (rows[:, 0] == ballot).all()
        assert (rows[:, 1] == int(bits.any())).all() and (rows[:, 2] == int(bits.all())).all()
        np.testing.assert_array_equal(rows[:, 3], 10 * np.roll(bits, -1) + np.roll(lane[:32], -1))
        ones = ballot
        zeros = ~ballot & 0xFFFFFFFF
        np.testing.assert_array_equal(rows[:, 4], np.where(bits == 1, ones, zeros))
        assert (rows[:, 5] == bits.sum()).all()


@pytest.mark.parametrize("mode", [0, 1])
def test_shuffle_after_lanes_exited(kernels, schedule, mode):
    v = np.arange(7, 71, dtype=np.int32)
    out = emu.zeros(64, np.int32)
    kernels("warp.cu").get_function("exited_lanes")(emu.to_device(v), out, np.int32(mode), grid=1, block=64,
                                                    **schedule)
    lane = np.arange(64) % 32
    np.testing.assert_array_equal(out.get(), np.where(lane < 24, v[np.arange(64) ^ 1], 0))


def test_shuffle_waiting_for_lane_at_barrier_is_a_deadlock(kernels, schedule):
    f = kernels("warp.cu").get_function("shuffle_while_lane_at_barrier")
    with pytest.raises(emu.Deadlock) as info:
        f(emu.empty(32, np.float32), grid=1, block=32, **schedule)
    path = KERNELS / "warp.cu"
    message = str(info.value)
    assert f"warp.cu:{line_of(path, 'FULL_MASK_SHUFFLE')}" in message
    assert f"warp.cu:{line_of(path, 'LANE7_BARRIER')}" in message and "lane 7" in message


@pytest.mark.parametrize("mode,markers,words", [
    (0, ["NOT_IN_MASK"], "not in its own mask"),
    (2, ["FIRST_SITE", "SECOND_SITE"], "same warp operation"),
])
def test_warp_op_mismatch(kernels, schedule, mode, markers, words):
    f = kernels("warp.cu").get_function("warp_mismatch")
    with pytest.raises(emu.WarpOpMismatch) as info:
        f(emu.empty(32, np.int32), np.int32(mode), grid=1, block=32, **schedule)
    message = str(info.value)
    assert words in message and "warp_mismatch" in message
    for marker in markers:
        assert f"warp.cu:{line_of(KERNELS / 'warp.cu', marker)}" in message


def test_overlapping_masks_of_one_operation(kernels):
    """Lanes 0-15 name the whole warp, lanes 16-31 only themselves. Whether the emulator
    sees both halves waiting at once depends on the order, so the determinism check,
    which runs the forward order too, reports it."""
    f = kernels("warp.cu").get_function("warp_mismatch")
    with pytest.raises(emu.WarpOpMismatch, match="must all use the same mask") as info:
        emu.check_determinism(f, emu.empty(32, np.int32), np.int32(1), grid=1, block=32)
    assert f"warp.cu:{line_of(KERNELS / 'warp.cu', 'OVERLAPPING_MASKS')}" in str(info.value)
