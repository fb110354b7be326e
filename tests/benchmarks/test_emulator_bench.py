"""The CUDA emulator's speed: one launch of a 256^3 tiled SGEMM (16x16 tiles) per thread
order, and the instrumented build's cost against the plain one (the SGEMM, and the
transpose study's shared-memory transpose with its 32-way bank conflicts), checked against
NumPy, so under ``--benchmark-disable`` it is a plain test."""
import numpy as np
import pytest

from warpbench import emu

from benchmarks.emulator import SGEMM, SIZE, TILE
from tests.emu.support import KERNELS

TRANSPOSED = 1024


@pytest.fixture(scope="module")
def sgemm():
    return emu.compile_file(SGEMM, defines={"TILE": TILE}).get_function("sgemm_tiled")


@pytest.mark.parametrize("thread_order", ["forward", "reverse", "random:1"])
def test_emulated_sgemm_256(benchmark, sgemm, thread_order):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((SIZE, SIZE), dtype=np.float32) for _ in range(2))
    n = np.int32(SIZE)
    args = (emu.to_device(a), emu.to_device(b), emu.empty((SIZE, SIZE), np.float32), n, n, n)
    benchmark.group = f"emulator sgemm {SIZE}^3"
    benchmark.extra_info.update(bytes=3.0 * SIZE * SIZE * 4, flops=2.0 * SIZE ** 3)
    benchmark(sgemm, *args, grid=(SIZE // TILE, SIZE // TILE), block=(TILE, TILE), thread_order=thread_order)
    np.testing.assert_allclose(args[2].get(), a @ b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("build", ["plain", "instrumented"])
def test_instrumented_sgemm_cost(benchmark, sgemm, build):
    """The instrumented build's cost against the plain one, same launch (compare the two rows)."""
    from warpbench.emu import instrument
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((SIZE, SIZE), dtype=np.float32) for _ in range(2))
    n = np.int32(SIZE)
    args = (emu.to_device(a), emu.to_device(b), emu.empty((SIZE, SIZE), np.float32), n, n, n)
    geometry = dict(grid=(SIZE // TILE, SIZE // TILE), block=(TILE, TILE))
    benchmark.group = f"emulator sgemm {SIZE}^3: plain vs instrumented build"
    if build == "plain":
        benchmark(sgemm, *args, **geometry)
    else:
        benchmark(lambda: instrument.profile(sgemm, *args, **geometry))
    np.testing.assert_allclose(args[2].get(), a @ b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("build", ["plain", "instrumented"])
def test_instrumented_transpose_cost(benchmark, build):
    """The same comparison on the transpose study's coalesced transpose (1024^2, 32x8 threads
    per 32x32 tile): its tile reads are 32-way bank conflicts, the costliest to count."""
    from warpbench.emu import instrument
    transpose = emu.compile_file(KERNELS / "study.cu").get_function("transpose_coalesced")
    x = np.random.default_rng(0).standard_normal((TRANSPOSED, TRANSPOSED), dtype=np.float32)
    args = (emu.empty((TRANSPOSED, TRANSPOSED), np.float32), emu.to_device(x), np.int32(TRANSPOSED))
    geometry = dict(grid=(TRANSPOSED // 32, TRANSPOSED // 32), block=(32, 8))
    benchmark.group = f"emulator transpose {TRANSPOSED}^2: plain vs instrumented build"
    if build == "plain":
        benchmark(transpose, *args, **geometry)
    else:
        benchmark(lambda: instrument.profile(transpose, *args, **geometry))
    np.testing.assert_array_equal(args[0].get(), x.T)
