"""Block barriers (items 2, 3, 16, 17, 18)."""
import numpy as np
import pytest

from warpbench import emu
from tests.emu.support import KERNELS, line_of


def test_shift_with_barrier(kernels, schedule):
    n = 1000
    x = np.arange(n, dtype=np.float32)
    out = emu.empty(n, np.float32)
    kernels("barriers.cu").get_function("shift_right")(emu.to_device(x), out, np.int32(n), grid=4,
                                                       block=256, **schedule)
    expected = np.roll(x, 1)
    expected[::256] = -1.0
    np.testing.assert_array_equal(out.get(), expected)


@pytest.mark.parametrize("mode", [0, 1, 2])
def test_syncthreads_count_and_or(kernels, schedule, mode):
    threads = 100
    out = emu.zeros((2, threads, 3), np.int32)
    kernels("barriers.cu").get_function("barrier_votes")(out, np.int32(mode), grid=2, block=threads,
                                                         **schedule)
    p = [np.arange(threads) % 3 == 0, np.ones(threads, bool), np.zeros(threads, bool)][mode]
    expected = [p.sum(), int(p.all()), int(p.any())]
    assert (out.get() == expected).all()


def test_divergent_barrier_names_both_lines(kernels, schedule):
    f = kernels("barriers.cu").get_function("divergent_barrier")
    with pytest.raises(emu.BarrierDivergence) as info:
        f(emu.empty(64, np.float32), grid=1, block=64, **schedule)
    path = KERNELS / "barriers.cu"
    message = str(info.value)
    assert "divergent_barrier" in message and "block (0, 0, 0)" in message
    assert f"barriers.cu:{line_of(path, 'EVEN_BARRIER')}" in message
    assert f"barriers.cu:{line_of(path, 'ODD_BARRIER')}" in message
    assert info.value.kernel == "divergent_barrier" and info.value.thread is not None


def test_barrier_inside_branch_is_reported_not_hung(kernels, schedule):
    f = kernels("barriers.cu").get_function("barrier_in_branch")
    with pytest.raises(emu.BarrierDivergence) as info:
        f(emu.empty(64, np.float32), grid=1, block=64, **schedule)
    path = KERNELS / "barriers.cu"
    assert f":{line_of(path, 'BRANCH_BARRIER')}" in str(info.value)
    assert f":{line_of(path, 'FINAL_BARRIER')}" in str(info.value)


def test_early_return_before_barrier_works_and_warns(kernels, schedule):
    n = 300
    x = np.arange(n, dtype=np.float32)
    out = emu.zeros(512, np.float32)
    with pytest.warns(emu.PortabilityWarning, match="exited before this __syncthreads"):
        kernels("barriers.cu").get_function("early_return")(emu.to_device(x), out, np.int32(n), grid=2,
                                                            block=256, **schedule)
    np.testing.assert_array_equal(out.get()[:n], 2 * x)
