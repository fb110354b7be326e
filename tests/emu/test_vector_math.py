"""Vector types, __ldg, math intrinsics and __half (items 10, 11)."""
import numpy as np
import pytest

from warpbench import emu
from tests.emu.support import KERNELS


def test_float4_loads_and_make(kernels, schedule):
    x = np.arange(4 * 300, dtype=np.float32)
    out = emu.empty(x.size, np.float32)
    f = kernels("vector_math.cu").get_function("scale_float4")
    assert f.param_types == ["const float*", "float*", "int", "float"]
    f(emu.to_device(x), out, np.int32(300), np.float32(0.5), grid=3, block=128, **schedule)
    np.testing.assert_array_equal(out.get(), x * 0.5)


def test_int2_parameters_accept_int32_arrays(kernels, schedule):
    x = np.arange(64, dtype=np.int32).reshape(32, 2)
    out = emu.empty((32, 2), np.int32)
    f = kernels("vector_math.cu").get_function("int2_swap")
    assert f.param_types == ["const int2*", "int2*"]
    f(emu.to_device(x), out, grid=1, block=32, **schedule)
    np.testing.assert_array_equal(out.get(), x[:, ::-1])


def test_math_intrinsics_against_numpy(kernels, schedule):
    x = np.linspace(-3, 3, 301, dtype=np.float32)
    out = emu.empty((12, x.size), np.float32)
    kernels("vector_math.cu").get_function("fast_math")(emu.to_device(x), out, np.int32(x.size), grid=3,
                                                        block=128, **schedule)
    a = np.abs(x)
    expected = [np.exp(x), np.log(a + 1), 1 / np.sqrt(a + 0.5), x / 3, x * 2 + 1, np.clip(x, 0, 1),
                np.tanh(x), np.sin(x), np.cos(x), a ** 1.5, np.ones_like(x),
                np.minimum(x, 0.25) + np.maximum(x, -0.25)]
    # The emulator computes fast intrinsics at full precision; a GPU differs by a few ulps.
    np.testing.assert_allclose(out.get(), np.array(expected, np.float32), rtol=2e-6, atol=1e-6)


def test_bit_intrinsics(kernels, schedule):
    x = np.array([0, 1, 0x80000000, 0xFFFFFFFF, 12345678] + list(range(3, 30)), np.uint32)
    out = emu.empty((x.size, 6), np.uint32)
    kernels("vector_math.cu").get_function("bit_tricks")(emu.to_device(x), out, grid=1, block=x.size,
                                                         **schedule)
    v = [int(i) for i in x]
    expected = [[bin(i).count("1"), 32 - i.bit_length(), (i & -i).bit_length(),
                 int(f"{i:032b}"[::-1], 2), i, (i * 0x9E3779B9) >> 32] for i in v]
    np.testing.assert_array_equal(out.get(), np.array(expected, np.uint64).astype(np.uint32))


def test_half_precision(kernels, schedule):
    rng = np.random.default_rng(5)
    a, b = (rng.standard_normal(64) * 4).astype(np.float16), (rng.standard_normal(64) * 4).astype(np.float16)
    f = rng.standard_normal(64).astype(np.float32) * 100
    total, product, back = emu.empty(64, np.float16), emu.empty(64, np.float16), emu.empty(64, np.float32)
    kernel = kernels("vector_math.cu").get_function("half_arithmetic")
    assert kernel.param_types[0] == "const __half*"
    kernel(emu.to_device(a), emu.to_device(b), total, product, emu.to_device(f), back, grid=1, block=64,
           **schedule)
    np.testing.assert_array_equal(total.get(), a + b)
    np.testing.assert_array_equal(product.get(), a * b)
    np.testing.assert_array_equal(back.get(), f.astype(np.float16).astype(np.float32))


@pytest.mark.parametrize("name", ["scale_float4", "int2_swap"])
def test_vector_types_without_the_toolkit(name):
    """The prelude's own vector types, used where the CUDA toolkit is not installed."""
    source = (KERNELS / "vector_math.cu").read_text()
    source = source.split('#define FAST_MATH_FUNCTIONS')[0].replace("#include <cuda_fp16.h>", "")
    mod = emu.compile_module(source, filename="vector_math.cu", options=["-DWBEMU_NO_TOOLKIT"])
    x = np.arange(64, dtype=np.float32 if name == "scale_float4" else np.int32)
    out = emu.empty(64, x.dtype)
    if name == "scale_float4":
        mod.get_function(name)(emu.to_device(x), out, np.int32(16), np.float32(2), grid=1, block=16)
        np.testing.assert_array_equal(out.get(), 2 * x)
    else:
        mod.get_function(name)(emu.to_device(x.reshape(32, 2)), out, grid=1, block=32)
        np.testing.assert_array_equal(out.get(), x.reshape(32, 2)[:, ::-1].ravel())


def test_half_shuffle(kernels, schedule):
    x = np.linspace(-4, 4, 32).astype(np.float16)
    out = emu.empty(32, np.float16)
    kernels("vector_math.cu").get_function("half_shuffle")(emu.to_device(x), out, grid=1, block=32, **schedule)
    np.testing.assert_array_equal(out.get(), x[np.arange(32) ^ 1])
