"""Shared memory (items 8, 23, 24)."""
import numpy as np
import pytest

from warpbench.errors import ConfigError
from warpbench import emu
from tests.emu.support import KERNELS, line_of

TRANSPOSES = ["tiled_transpose<8>", "tiled_transpose<16>"]


@pytest.mark.parametrize("name,shape", [(TRANSPOSES[0], (37, 19)), (TRANSPOSES[1], (40, 70))])
def test_template_static_tiles(kernels, schedule, name, shape):
    mod = kernels("shared.cu", name_expressions=TRANSPOSES)
    tile = int(name[name.index("<") + 1:-1])
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    out = emu.empty(shape[::-1], np.float32)
    f = mod.get_function(name)
    assert f.static_shared_bytes == tile * (tile + 1) * 4
    f(emu.to_device(x), out, np.int32(shape[0]), np.int32(shape[1]),
      grid=(-(-shape[1] // tile), -(-shape[0] // tile)), block=(tile, tile), **schedule)
    np.testing.assert_array_equal(out.get(), x.T)


def test_second_kernel_of_the_module(kernels, schedule):
    x = np.arange(1024, dtype=np.int32)
    out = emu.empty(4, np.int32)
    f = kernels("shared.cu", name_expressions=TRANSPOSES).get_function("block_sum")
    assert f.static_shared_bytes == 256 * 4
    f(emu.to_device(x), out, grid=4, block=256, **schedule)
    np.testing.assert_array_equal(out.get(), x.reshape(4, 256).sum(1))


@pytest.mark.parametrize("name,dtype,width", [("reverse_float", np.float32, 1), ("reverse_int", np.int32, 1),
                                              ("reverse_float4", np.float32, 4)])
def test_dynamic_shared_memory(kernels, schedule, name, dtype, width):
    n = 128
    x = np.arange(n * width, dtype=dtype).reshape(n, width)
    out = emu.empty((n, width), dtype)
    f = kernels("shared.cu").get_function(name)
    f(emu.to_device(x), out, grid=1, block=n, shared=n * width * 4, **schedule)
    np.testing.assert_array_equal(out.get(), x[::-1])


def test_dynamic_arrays_alias(kernels, schedule):
    n = 64
    out, bits, scoped = emu.empty(n, np.float32), emu.empty(n, np.int32), emu.empty(n, np.float32)
    kernels("shared.cu").get_function("aliased_dynamic")(out, bits, scoped, grid=1, block=n, shared=4 * n,
                                                         **schedule)
    expected = 1.5 * np.arange(n, dtype=np.float32)
    np.testing.assert_array_equal(out.get(), expected)
    np.testing.assert_array_equal(bits.get(), expected.view(np.int32))
    np.testing.assert_array_equal(scoped.get(), expected)


@pytest.mark.parametrize("poison,check", [(0xFF, np.isnan), (0x00, lambda v: v == 0)])
def test_blocks_never_see_a_previous_block_shared_memory(kernels, poison, check):
    out = emu.empty(4 * 64, np.float32)
    kernels("shared.cu").get_function("stale_shared")(out, grid=4, block=64, poison=poison)
    values = out.get().reshape(4, 64)
    assert (values[0] == 42).all()
    assert check(values[1:]).all()


def test_uninitialised_shared_read_is_caught_by_poison_patterns(kernels):
    f = kernels("shared.cu").get_function("stale_shared")
    report = emu.check_determinism(f, emu.empty(4 * 64, np.float32), grid=4, block=64,
                                   thread_orders=["forward"], block_orders=["forward"])
    assert not report.identical
    difference = report.differences[0]
    assert difference.param_name == "out" and difference.count == 3 * 64 and difference.first_index == (64,)
    assert "poison 0xFF" in difference.reference and "poison 0x00" in difference.other


def test_dynamic_shared_overrun(kernels, schedule):
    f = kernels("shared.cu").get_function("dynamic_overrun")
    with pytest.raises(emu.SharedMemoryOverflow) as info:
        f(emu.empty(64, np.float32), grid=2, block=64, shared=32 * 4, **schedule)
    message = str(info.value)
    assert "dynamic_overrun" in message and "128 bytes requested" in message
    assert "128 byte(s) written past" in message and "byte +0" in message
    assert info.value.block is not None
    assert 32 <= info.value.thread[0] < 64        # a thread that wrote past the 32 floats
    assert info.value.line == line_of(KERNELS / "shared.cu", "OVERRUN")


def test_static_shared_limit(kernels):
    f = kernels("shared.cu").get_function("big_static_shared")
    assert f.static_shared_bytes == 13 * 1024 * 4
    with pytest.raises(ConfigError, match="big_static_shared.*53248 bytes of static shared memory"):
        f(emu.empty(64, np.float32), grid=1, block=64)
