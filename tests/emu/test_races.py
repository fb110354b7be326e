"""Race detection by schedule perturbation (items 13, 14, 15, 26)."""
import numpy as np
import pytest

from warpbench import emu
from tests.emu.support import KERNELS


def transpose_args(rows, cols):
    x = np.random.default_rng(6).standard_normal((rows, cols)).astype(np.float32)
    return x, (emu.to_device(x), emu.empty((cols, rows), np.float32), np.int32(rows), np.int32(cols))


def test_correct_transpose_is_deterministic_and_exact(kernels):
    f = kernels("races.cu").get_function("transpose")
    x, args = transpose_args(70, 45)
    report = emu.check_determinism(f, *args, grid=(2, 3), block=(32, 8))
    assert report.identical, report.summary()
    np.testing.assert_array_equal(args[1].get(), x.T)


def test_transpose_missing_its_barrier_is_caught(kernels):
    f = kernels("races.cu", defines={"MISSING_BARRIER": None}).get_function("transpose")
    _, args = transpose_args(70, 45)
    report = emu.check_determinism(f, *args, grid=(2, 3), block=(32, 8))
    assert not report.identical
    difference = report.differences[0]
    assert difference.param_index == 1 and difference.param_name == "out" and difference.count > 0
    with pytest.raises(emu.NondeterministicResult, match="kernel 'transpose'.*parameter 1 'out'"):
        f(*args, grid=(2, 3), block=(32, 8), check_determinism=True)


def sgemm_args(n):
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    return a, b, (emu.to_device(a), emu.to_device(b), emu.empty((n, n), np.float32),
                  np.int32(n), np.int32(n), np.int32(n))


def test_sgemm_is_deterministic_and_matches_numpy(kernels):
    f = kernels("sgemm.cu").get_function("sgemm_tiled")
    a, b, args = sgemm_args(48)
    report = emu.check_determinism(f, *args, grid=(3, 3), block=(16, 16), thread_orders=["forward", "random:1"],
                                   block_orders=["forward"])
    assert report.identical, report.summary()
    np.testing.assert_allclose(args[2].get(), a @ b, rtol=1e-4, atol=1e-4)


def test_sgemm_missing_its_second_barrier_is_caught(kernels):
    f = kernels("sgemm.cu", defines={"SKIP_SECOND_BARRIER": None}).get_function("sgemm_tiled")
    _, _, args = sgemm_args(48)
    report = emu.check_determinism(f, *args, grid=(3, 3), block=(16, 16))
    assert not report.identical and report.differences[0].param_name == "c"


def test_lost_update_is_detected(kernels):
    """Every schedule serialises the lost update (a barrier interval runs without
    interleaving), so the determinism check cannot see it; racecheck does."""
    counter = emu.zeros(1, np.int32)
    with pytest.raises(emu.RaceDetected, match="kernel 'lost_update'.*parameter 0 'counter'.*races.cu:27"):
        kernels("races.cu").get_function("lost_update")(counter, grid=1, block=64, racecheck=True)


def test_lost_update_gives_the_serial_result(kernels, schedule):
    """The plain build computes 64 where a GPU gives less: racecheck (above) is what finds it."""
    counter = emu.zeros(1, np.int32)
    kernels("races.cu").get_function("lost_update")(counter, grid=1, block=64, **schedule)
    assert counter.get()[0] == 64


def test_inter_block_race_differs_between_block_orders(kernels):
    f = kernels("races.cu").get_function("inter_block_race")
    report = emu.check_determinism(f, emu.zeros(32, np.int32), grid=2, block=32)
    assert not report.identical
    difference = report.differences[0]
    assert difference.count == 32 and difference.first_index == (0,)
    assert {difference.reference_value, difference.other_value} == {0, 1}
    assert "reverse" in difference.other


def test_float_atomics_are_tolerated(kernels):
    x = np.random.default_rng(8).standard_normal(3000).astype(np.float32)
    f = kernels("atomics.cu").get_function("float_sums")
    report = emu.check_determinism(f, emu.to_device(x), np.int32(x.size), emu.zeros(1, np.float32),
                                   emu.zeros(1, np.float64), grid=12, block=256)
    assert report.identical, report.summary()


def test_unwritten_output_is_reported_as_such(kernels):
    source = (KERNELS / "races.cu").read_text()
    mod = emu.compile_module(source + 'extern "C" __global__ void half_written(float* out) '
                             '{ if (threadIdx.x % 2) out[threadIdx.x] = 1.0f; }\n', filename="races.cu")
    report = emu.check_determinism(mod.get_function("half_written"), emu.empty(16, np.float32), grid=1, block=16)
    assert report.differences[0].unwritten and report.differences[0].count == 8
    assert "never written" in report.summary()
