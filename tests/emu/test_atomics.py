"""Atomics in global and shared memory (item 9)."""
import numpy as np

from warpbench import emu


def test_histogram_with_collisions(kernels, schedule):
    rng = np.random.default_rng(1)
    n = 5000
    values = rng.integers(0, 16, n).astype(np.int32)
    bins, shared_bins = emu.zeros(16, np.uint32), emu.zeros(16, np.uint32)
    kernels("atomics.cu").get_function("histogram")(emu.to_device(values), np.int32(n), bins, shared_bins,
                                                    grid=-(-n // 128), block=128, **schedule)
    expected = np.bincount(values, minlength=16)
    np.testing.assert_array_equal(bins.get(), expected)
    np.testing.assert_array_equal(shared_bins.get(), expected)


def test_float_atomic_sums(kernels, schedule):
    rng = np.random.default_rng(2)
    n = 4000
    x = rng.standard_normal(n).astype(np.float32)
    total, total64 = emu.zeros(1, np.float32), emu.zeros(1, np.float64)
    kernels("atomics.cu").get_function("float_sums")(emu.to_device(x), np.int32(n), total, total64,
                                                     grid=-(-n // 256), block=256, **schedule)
    exact = x.astype(np.float64).sum()
    assert abs(total.get()[0] - exact) <= 1e-5 * np.abs(x).sum()
    assert abs(total64.get()[0] - exact) <= 1e-12 * np.abs(x).sum()


def test_cas_lock_free_max(kernels, schedule):
    x = np.random.default_rng(3).random(3000).astype(np.float32)
    best = emu.zeros(1, np.int32)
    kernels("atomics.cu").get_function("cas_max")(emu.to_device(x), np.int32(x.size), best,
                                                  grid=-(-x.size // 128), block=128, **schedule)
    assert best.get().view(np.float32)[0] == x.max()


def test_inc_dec_exch(kernels, schedule):
    n, limit = 640, 100
    inc, dec = emu.zeros(1, np.uint32), emu.zeros(1, np.uint32)
    slot = emu.to_device(np.array([-1], np.int32))
    seen, exchanged = emu.empty(n, np.uint32), emu.empty(n, np.int32)
    kernels("atomics.cu").get_function("counters")(inc, dec, np.uint32(limit), seen, slot, exchanged,
                                                   grid=5, block=128, **schedule)
    assert inc.get()[0] == n % (limit + 1)
    np.testing.assert_array_equal(np.sort(seen.get()), np.sort(np.arange(n) % (limit + 1)))
    assert dec.get()[0] == (-n) % (limit + 1)      # 0 wraps to limit, then counts down
    np.testing.assert_array_equal(np.sort(np.append(exchanged.get(), slot.get())), np.arange(-1, n))


def test_integer_atomics(kernels, schedule):
    n = 256
    cells = emu.to_device(np.array([0, 10**6, -1, 0, 0], np.int32))
    ucells = emu.to_device(np.array([0xFFFFFFFF, 0, 0, 10**6, 0], np.uint32))
    wide = emu.zeros(3, np.uint64)
    kernels("atomics.cu").get_function("integer_mix")(cells, ucells, wide, grid=2, block=128, **schedule)
    i = np.arange(n)
    np.testing.assert_array_equal(cells.get(), [-i.sum(), 1000 - (n - 1), 3 * (n - 1), 2 * n, 3 * n])
    xor = np.bitwise_xor.reduce(i.astype(np.uint32))
    np.testing.assert_array_equal(ucells.get(), [0, 0xFFFFFFFF, xor, 5000 - (n - 1), n - 1])
    w = wide.get()
    assert w[0] == n << 33 and w[1] == (n - 1) << 40 and 1 <= w[2] <= n


def test_kernel_defining_the_pre_sm60_double_atomic_add():
    source = """
    #if __CUDA_ARCH__ < 600
    __device__ double atomicAdd(double* address, double val) {
        unsigned long long* as_ull = (unsigned long long*)address;
        unsigned long long old = *as_ull, assumed;
        do {
            assumed = old;
            old = atomicCAS(as_ull, assumed, __double_as_longlong(val + __longlong_as_double(assumed)));
        } while (assumed != old);
        return __longlong_as_double(old);
    }
    #endif
    extern "C" __global__ void add(double* total) { atomicAdd(total, 0.5); }
    """
    total = emu.zeros(1, np.float64)
    emu.compile_module(source).get_function("add")(total, grid=2, block=64)
    assert total.get()[0] == 64.0
