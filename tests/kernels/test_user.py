"""User kernels: RawKernel and ElementwiseKernel from source text, compiled like registry kernels."""
import shutil

import numpy as np
import pytest

import warpbench
from warpbench.errors import DTypeError, ShapeError, UnknownNameError, WarpbenchError
from warpbench.kernels.elementwise_kernel import ElementwiseKernel
from warpbench.kernels.source import nvcc_module, source_file
from warpbench.kernels.spec import IN, OUT, SCALAR, Param, Tunable, cdiv
from warpbench.kernels.user import RawKernel, kernel_spec, parse_signature

SIZES = [1, 2, 7, 31, 257, 1021]
AXPB = r"""
#include "common.cuh"   // the registry's helpers are on the include path
/* a comment mentioning __global__ void decoy(int x) */
extern "C" __global__ void __launch_bounds__(1024) axpb(float* __restrict__ z, const float* __restrict__ x,
                                                       float a, float b, long long n) {
    long long i = global_thread_index();
    if (i < n) z[i] = a * x[i] + b;
}
"""


def test_signature_is_read_from_the_declaration():
    assert parse_signature(AXPB, "axpb") == (Param("z", "float*", OUT), Param("x", "const float*", IN),
                                             Param("a", "float", SCALAR), Param("b", "float", SCALAR),
                                             Param("n", "long long", SCALAR))
    assert parse_signature('extern "C" __global__ void k(void) {}', "k") == ()


def test_signature_errors_name_the_kernel():
    with pytest.raises(UnknownNameError, match=r"kernel 'axbp': no __global__ void axbp.*found: axpb\)"):
        parse_signature(AXPB, "axbp")
    with pytest.raises(DTypeError, match=r"kernel 'k': parameter 1 \(Pair p\) has no NumPy dtype"):
        parse_signature("struct Pair { int a; };\n__global__ void k(float* o, Pair p) {}", "k")


def test_a_spec_carries_its_text_and_is_hashable(private_cache):
    spec = kernel_spec(AXPB, "axpb")
    assert spec.code == AXPB and spec.entry == "axpb" and spec.dtypes == ("float32",)
    assert hash(spec) == hash(kernel_spec(AXPB, "axpb")) and spec == kernel_spec(AXPB, "axpb")
    path = source_file(spec)
    assert path.read_text() == AXPB and path.name.startswith("axpb-")
    assert source_file(kernel_spec(AXPB, "axpb")) == path
    assert source_file(kernel_spec(AXPB + "\n", "axpb")) != path  # the name follows the text
    hash(warpbench.kernels.get("axpb_f32"))  # registry specs too (an op may hold one in __props__)


@pytest.mark.parametrize("n", SIZES)
def test_raw_kernel_on_emu(emu, n):
    kernel = RawKernel(AXPB, "axpb")
    x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    z, dx = emu.empty((n,), np.float32), emu.to_device(x)
    kernel((cdiv(n, 128),), (128,), (z, dx, 4.0, 5.0, n), device="emu")
    np.testing.assert_array_equal(z.get(), np.float32(4) * x + np.float32(5))
    assert kernel.compile("emu") is kernel.compile(emu)  # compiled once per device


def test_raw_kernel_geometry_tunables_and_problems(emu):
    kernel = RawKernel(AXPB, "axpb", tunables=(Tunable("BLOCK", (64, 256), 64),))
    compiled = kernel.compile(emu)
    assert compiled.geometry({"n": 1000}).grid == (16, 1, 1)
    x = np.arange(1000, dtype=np.float32)
    np.testing.assert_array_equal(compiled.run(x, a=2.0, b=1.0), 2 * x + 1)


def test_raw_kernel_argument_errors(emu):
    kernel = RawKernel(AXPB, "axpb")
    z = emu.empty((4,), np.float32)
    with pytest.raises(WarpbenchError, match=r"axpb: expects 5 arguments \(float\* z, "):
        kernel((1,), (4,), (z, 4.0), device="emu")
    with pytest.raises(DTypeError, match=r"kernel 'axpb': argument 1 is a ndarray, not an array of the emu"):
        kernel((1,), (4,), (z, np.ones(4, np.float32), 1.0, 0.0, 4), device="emu")
    with pytest.raises(DTypeError, match=r"argument 1 \(const float\* x\) needs a float32 device array, got float64"):
        kernel((1,), (4,), (z, emu.to_device(np.ones(4)), 1.0, 0.0, 4), device="emu")


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
def test_user_source_compiles_with_nvcc_like_a_registry_one():
    module = nvcc_module(kernel_spec(AXPB, "axpb"), {}, "sm_90")
    assert module.cubin and module.resources["axpb"].spills == 0


def test_elementwise_kernel_broadcasts_and_takes_scalars(emu):
    kernel = ElementwiseKernel("T x, T y, float32 c", "T z", "z = x * y + c", "mul_add")
    a = np.random.default_rng(0).standard_normal((3, 1, 5)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((4, 1)).astype(np.float32)
    z = kernel(emu.to_device(a), emu.to_device(b), 2, device="emu")
    assert z.shape == (3, 4, 5) and z.dtype == np.float32
    np.testing.assert_allclose(z.get(), a * b + 2, rtol=1e-6)
    z = kernel(emu.to_device(a), np.float32(3), np.float64(0.5), device="emu")  # a NumPy scalar by value
    np.testing.assert_allclose(z.get(), a * 3 + 0.5, rtol=1e-6)
    s = kernel(np.float32(2), np.float32(3), 1, device="emu")  # all scalars: a 0-d result
    assert s.shape == () and s.get() == 7


def test_elementwise_kernel_into_given_outputs_and_several_outputs(emu):
    kernel = ElementwiseKernel("T x", "T lo, T hi", "lo = x - 1; hi = x + i", "spread")
    x = np.arange(7, dtype=np.float64)
    lo, hi = emu.empty((7,), np.float64), emu.empty((7,), np.float64)
    assert kernel(emu.to_device(x), lo, hi, device="emu") == (lo, hi)
    np.testing.assert_array_equal(lo.get(), x - 1)
    np.testing.assert_array_equal(hi.get(), 2 * x)  # i is the element index
    assert ElementwiseKernel("T x", "T y", "y = x", "copy", no_return=True)(emu.to_device(x), device="emu") is None


def test_elementwise_kernel_raw_params_and_size(emu):
    reverse = ElementwiseKernel("raw T x, int64 n", "raw T y", "y[i] = x[n - 1 - i]", "reverse")
    x = np.arange(5, dtype=np.int32)
    y = emu.empty((5,), np.int32)
    reverse(emu.to_device(x), 5, y, size=5, device="emu")
    np.testing.assert_array_equal(y.get(), x[::-1])


def test_elementwise_kernel_converts_inputs_to_the_declared_type(emu):
    kernel = ElementwiseKernel("float32 x", "float32 y", "y = x / 2", "halve")
    np.testing.assert_array_equal(kernel(emu.to_device(np.array([1, 3], np.int32)), device="emu").get(), [0.5, 1.5])


def test_elementwise_kernel_errors(emu):
    kernel = ElementwiseKernel("T x, T y", "T z", "z = x + y", "add2")
    f32, f64 = emu.to_device(np.ones(3, np.float32)), emu.to_device(np.ones(3))
    with pytest.raises(DTypeError, match=r"ElementwiseKernel 'add2': type T is float32 but y is float64"):
        kernel(f32, f64, device="emu")
    with pytest.raises(ShapeError, match=r"'add2': cannot broadcast shapes 3, 4"):
        kernel(f32, emu.to_device(np.ones(4, np.float32)), device="emu")
    wide = emu.to_device(np.ones((2, 3), np.float32))
    with pytest.raises(ShapeError, match=r"output z has shape \(3,\), the inputs broadcast to \(2, 3\)"):
        kernel(wide, f32, emu.empty((3,), np.float32), device="emu")
    with pytest.raises(DTypeError, match=r"argument 1 is a host array; copy it"):
        kernel(f32, np.ones(3, np.float32), device="emu")
    with pytest.raises(DTypeError, match=r"argument 1 is a str, neither a device array nor a number"):
        kernel(f32, "2", device="emu")
    with pytest.raises(DTypeError, match=r"no argument tells the type U of z"):
        ElementwiseKernel("T x", "U z", "z = x", "untyped")(f32, device="emu")
    with pytest.raises(WarpbenchError, match=r"parameter name 'i' is reserved"):
        ElementwiseKernel("T i", "T z", "z = i", "bad")
    with pytest.raises(WarpbenchError, match=r"parameter 'float32' is not '\[raw\] <type> <name>'"):
        ElementwiseKernel("float32", "T z", "z = 1", "bad")


def test_user_kernels_are_exported_from_warpbench():
    assert warpbench.RawKernel is RawKernel and warpbench.ElementwiseKernel is ElementwiseKernel
    with pytest.raises(AttributeError):
        warpbench.NoSuchThing  # noqa: B018
