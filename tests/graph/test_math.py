"""Elementwise math (log, sqrt, pow, maximum, minimum, abs, clip, comparisons, switch, cast):
NumPy references at awkward shapes, verify_grad on cpu and emu, and cpu/emu agreement."""
import shutil

import numpy as np
import pytest

from warpbench.errors import DTypeError
from warpbench.graph import (FunctionGraph, abs, cast, clip, eq, function, gt, log, lt, matrix, maximum, minimum, neq,
                             pow, relu, sgn, sqrt, switch, tensor, vector, verify_grad)
from warpbench.graph.fusion import fuse_elemwise

from .agree import assert_cpu_and_emu_agree, device  # noqa: F401 (device is a fixture)

AWKWARD = [(1,), (7,), (3, 5), (1, 13), (2, 3, 5)]

# (name, graph builder, NumPy reference, how to draw inputs); inputs stay away from kinks
# (|x| > 0.1, x != y), where finite differences are not the derivative.
UNARY = [
    ("log", log, np.log, "positive"),
    ("sqrt", sqrt, np.sqrt, "positive"),
    ("abs", abs, np.abs, "signed"),
    ("pow_const", lambda x: x ** 3, lambda x: x ** 3, "signed"),
    ("rpow", lambda x: 2 ** x, lambda x: 2 ** x, "signed"),
    ("clip", lambda x: clip(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7), "signed"),
]
BINARY = [
    ("pow", pow, np.power, "positive"),
    ("maximum", maximum, np.maximum, "signed"),
    ("minimum", minimum, np.minimum, "signed"),
    ("switch", lambda x, y: switch(x > y, x * 2, y), lambda x, y: np.where(x > y, x * 2, y), "signed"),
    ("mask", lambda x, y: x * (x >= y) + y * lt(x, y), lambda x, y: x * (x >= y) + y * (x < y), "signed"),
]


def _draw(kind, shape, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "positive":
        return rng.uniform(0.5, 2.0, shape)
    magnitude = rng.uniform(0.15, 1.5, shape)
    return magnitude * rng.choice([-1.0, 1.0], shape)


def _run(build, values, device="cpu"):
    inputs = [tensor(f"i{k}", v.dtype, v.ndim) for k, v in enumerate(values)]
    return function(inputs, build(*inputs), device=device)(*values)


def _nin(build):
    return build.nin if hasattr(build, "nin") else build.__code__.co_argcount


@pytest.mark.parametrize("shape", AWKWARD, ids=str)
@pytest.mark.parametrize("name, build, reference, kind", UNARY + BINARY, ids=[c[0] for c in UNARY + BINARY])
def test_matches_numpy(name, build, reference, kind, shape):
    values = [_draw(kind, shape, seed).astype(np.float32) for seed in range(_nin(build))]
    got = _run(build, values)
    assert got.dtype == np.float32 and got.shape == shape
    np.testing.assert_allclose(got, reference(*values), rtol=1e-6)


def _points(build, kind):
    # the second operand broadcasts: a row against the matrix
    shapes = [(3, 5), (5,)][:_nin(build)]
    return [_draw(kind, shape, seed) for seed, shape in enumerate(shapes)]


@pytest.mark.parametrize("name, build, reference, kind", UNARY + BINARY, ids=[c[0] for c in UNARY + BINARY])
def test_verify_grad(name, build, reference, kind, device):
    verify_grad(build, _points(build, kind), device=device)


@pytest.mark.parametrize("name, build, reference, kind", UNARY + BINARY, ids=[c[0] for c in UNARY + BINARY])
def test_cpu_and_emu_agree(name, build, reference, kind, emu):
    assert_cpu_and_emu_agree(build, _points(build, kind))


def test_ties_send_the_gradient_to_one_side_only():
    x, y = vector("x", "float64"), vector("y", "float64")
    from warpbench.graph import grad
    f = function([x, y], grad(maximum(x, y).sum(), [x, y]), device="cpu")
    gx, gy = f([1.0, 2.0, 3.0], [1.0, 5.0, 0.0])
    np.testing.assert_array_equal(gx + gy, [1, 1, 1])
    np.testing.assert_array_equal(gx, [1, 0, 1])


def test_comparisons_give_int8_and_the_operators_build_them(device):
    x, y = vector("x"), vector("y")
    a, b = np.float32([0.5, 0.7, -1.25, 3.0]), np.float32([0.7, 0.7, -1.5, 2.5])
    outs = [x < y, x <= y, x > y, x >= y, eq(x, y), neq(x, y), 0.6 < x]
    assert all(o.dtype == "int8" for o in outs)
    got = function([x, y], outs, device=device)(a, b)
    # fractional operands must not be truncated to the int8 output type on a device
    for g, want in zip(got, [a < b, a <= b, a > b, a >= b, a == b, a != b, 0.6 < a]):
        np.testing.assert_array_equal(g, want.astype(np.int8))
    assert [str(o.owner.op) for o in outs[:2]] == ["LT", "LE"] and outs[-1].owner.op == gt


def test_variables_keep_identity_equality_and_have_no_truth_value():
    x, y = vector("x"), vector("y")
    assert (x == x) is True and (x == y) is False
    assert len({x, y, x}) == 2
    with pytest.raises(TypeError, match=r"the truth of LT.0 is unknown .*use switch\(cond, a, b\)"):
        bool(x < y)


def test_a_mask_fuses_into_one_kernel_with_the_comparison():
    x = vector("x")
    fg = FunctionGraph([x], [x * (x > 0.25) + sgn(x)])
    assert fuse_elemwise(fg) == 1
    assert [str(n.op) for n in fg.toposort()] == ["Composite{((i0 * (i0 > i1)) + sgn(i0))}"]


def test_cast_converts_as_numpy_and_refuses_non_dtypes(device):
    x = matrix("x")
    a = np.float32([[-1.7, 2.9], [0.5, 300.2]])
    to_int, to_double = cast(x, "int32"), x.astype("float64")
    assert (to_int.dtype, to_double.dtype) == ("int32", "float64")
    assert cast(x, "float32") is x
    got_int, got_double = function([x], [to_int, to_double], device=device)(a)
    np.testing.assert_array_equal(got_int, a.astype(np.int32))
    assert got_double.dtype == np.float64
    with pytest.raises(DTypeError, match="cast: 'floaty' is not a dtype"):
        cast(x, "floaty")


def test_cast_passes_the_gradient_back_in_the_input_dtype(device):
    verify_grad(lambda x: cast(x, "float32") * 3, [np.linspace(-1, 1, 6)], eps=1e-2, tol=1e-3, device=device)


def test_second_derivative_through_relu_is_zero():
    from warpbench.graph import grad
    x = vector("x", "float64")
    first = grad((relu(x) * x).sum(), x)
    second = grad(first.sum(), x)
    got = function([x], second, device="cpu")(np.array([-1.0, 0.5, 2.0]))
    np.testing.assert_array_equal(got, [0, 2, 2])


def test_pprint_writes_the_math_ops():
    from warpbench.graph import pprint
    x, v = matrix("x"), vector("v")
    assert pprint(log(x) + x ** 2 * (x > 0)) == "log(x) + ((x ** 2) * (x > 0))"
    assert pprint(clip(v, 0, 1) + switch(v < 1, v, 2) + cast(v, "float64")) == \
        "(clip(v, 0, 1) + switch((v < 1), v, 2)) + cast_float64(v)"


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_generated_kernels_compile_with_nvcc(dtype):
    from warpbench.graph.op import device_kernel_of
    from warpbench.graph.rewrite import optimize
    from warpbench.kernels.source import nvcc_module
    x, y = vector("x", dtype), tensor("y", dtype, 0)
    every_op = switch(x < y, maximum(abs(x), y) ** 2, minimum(clip(x, 0, 5), sgn(y))) + cast(neq(x, y), dtype)
    if dtype != "int32":
        every_op = every_op * log(sqrt(abs(x) + 1))
    fg = optimize(FunctionGraph([x, y], [every_op]), "cuda")
    (node,) = [n for n in fg.toposort() if "Composite" in str(n.op)]
    spec = device_kernel_of(node)
    module = nvcc_module(spec, spec.defines(), "sm_90")
    assert module.resources[spec.entry].spills == 0
