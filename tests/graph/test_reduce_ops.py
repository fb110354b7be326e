"""Reductions along axes (sum, prod, max, min, argmax, mean, var): NumPy references, where
they run on emu (every float reduction over any axes, and the max gradient with its ties),
verify_grad on cpu and emu, cpu/emu agreement, and bad axes."""
import io

import numpy as np
import pytest

from warpbench.errors import ShapeError
from warpbench.graph import (AxisError, argmax, debugprint, function, grad, matrix, max, mean, min, prod, std, sum,
                             tensor, var, vector, verify_grad)

from warpbench.graph.elemwise import Elemwise
from warpbench.graph.gpu_op import GpuElemwise
from warpbench.graph.op import device_kernel_of
from warpbench.graph.reduce_ops import Max, Min, Prod, Sum
from warpbench.graph.shape_ops import DimShuffle

from .agree import assert_cpu_and_emu_agree, assert_on_device, device  # noqa: F401 (device is a fixture)

SHAPES_AXES = [((7,), None), ((7,), 0), ((3, 5), 0), ((3, 5), 1), ((3, 5), -1), ((3, 5), (0, 1)),
               ((2, 3, 4), 1), ((2, 3, 4), (0, 2)), ((2, 3, 4), (1, 2)), ((1, 1, 7), (0, 1)), ((4, 1), None)]
REDUCTIONS = [("sum", sum, np.sum), ("prod", prod, np.prod), ("max", max, np.max), ("min", min, np.min),
              ("mean", mean, np.mean), ("var", var, np.var)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("shape, axis", SHAPES_AXES, ids=[str(c) for c in SHAPES_AXES])
@pytest.mark.parametrize("name, build, reference", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_matches_numpy(name, build, reference, shape, axis, keepdims):
    a = np.random.default_rng(0).uniform(0.5, 1.5, shape).astype(np.float32)
    x = tensor("x", "float32", len(shape))
    out = build(x, axis=axis, keepdims=keepdims)
    got = function([x], out, device="cpu")(a)
    want = reference(a, axis=axis, keepdims=keepdims)
    assert got.shape == want.shape and got.dtype == np.float32 and out.ndim == want.ndim
    np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize("shape, axis", SHAPES_AXES, ids=[str(c) for c in SHAPES_AXES])
def test_verify_grad(shape, axis, device):
    point = np.random.default_rng(2).permutation(np.prod(shape)).reshape(shape) / 7 + 0.5  # distinct: no max ties
    verify_grad(lambda x: sum(x, axis) + max(x, axis, keepdims=False) * 2 + min(x, axis) + prod(x, axis) * 0.5 +
                mean(x, axis) + var(x, axis, ddof=0), [point], device=device)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("shape, axis", SHAPES_AXES, ids=[str(c) for c in SHAPES_AXES])
def test_cpu_and_emu_agree(shape, axis, keepdims, emu):
    point = np.random.default_rng(3).permutation(np.prod(shape)).reshape(shape) / 5 - 1
    assert_cpu_and_emu_agree(lambda x: sum(x, axis, keepdims=keepdims) + max(x, axis, keepdims) -
                             min(x, axis, keepdims) + var(x, axis, keepdims=keepdims), [point])


@pytest.mark.parametrize("axis, registry", [(1, False), (2, True), (0, True), ((0, 1, 2), True), ((1, 2), True),
                                           ((0, 1), True), ((0, 2), False), (None, True)])
def test_sum_and_max_run_the_reduce_kernels_when_the_axes_are_a_leading_or_trailing_run(axis, registry, emu):
    x = tensor("x", "float32", 3)
    a = np.random.default_rng(4).standard_normal((5, 33, 3)).astype(np.float32)
    f = function([x], [sum(x, axis), max(x, axis)], device="emu")
    for node in assert_on_device(f, Sum, Max):
        kernel = device_kernel_of(node)
        assert isinstance(kernel, str) == registry and str(getattr(kernel, "name", kernel)).startswith(
            "reduce_" if registry else "axis_reduce_"), kernel
    got_sum, got_max = f(a)
    np.testing.assert_allclose(got_sum, a.sum(axis=axis), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(got_max, a.max(axis=axis))


DEVICE_SHAPES_AXES = [((1,), 0), ((7,), None), ((1, 1), 1), ((5, 1, 3), 1), ((2, 7, 3), 1), ((3, 1, 7, 2), (0, 2)),
                      ((2, 3, 5, 7), (1, 3)), ((5, 3, 4), (0, 2)), ((11, 13), 0), ((1, 13, 1), (0, 2)), ((3, 5), ())]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, axis", DEVICE_SHAPES_AXES, ids=[str(c) for c in DEVICE_SHAPES_AXES])
def test_every_float_reduction_over_any_axes_runs_on_the_device(shape, axis, dtype, emu):
    a = np.random.default_rng(8).uniform(0.5, 1.5, shape).astype(dtype)
    x = tensor("x", dtype, len(shape))
    outs = [sum(x, axis), prod(x, axis, keepdims=True), max(x, axis), min(x, axis, keepdims=True), mean(x, axis)]
    f = function([x], outs, device="emu")
    assert_on_device(f, Sum, Prod, Max, Min)
    wants = [a.sum(axis=axis), a.prod(axis=axis, keepdims=True), a.max(axis=axis),
             a.min(axis=axis, keepdims=True), a.mean(axis=axis)]
    rtol = 1e-5 if dtype == "float32" else 1e-12
    for got, want in zip(f(a), wants):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=rtol)


def test_reductions_of_empty_axes_on_the_device(emu):
    x = tensor("x", "float64", 3)
    f = function([x], [sum(x, (0, 2)), prod(x, 1)], device="emu")
    got_sum, got_prod = f(np.zeros((2, 0, 3)))
    np.testing.assert_array_equal(got_sum, np.zeros(0))
    np.testing.assert_array_equal(got_prod, np.ones((2, 3)))
    with pytest.raises(ShapeError, match=r"^Min\{axis=\(1,\)\}.*min over axes \(1,\).*no element"):
        function([x], min(x, 1), device="emu")(np.zeros((2, 0, 3)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_and_min_on_the_device_propagate_nan_as_numpy(dtype, emu):
    x = tensor("x", dtype, 3)
    value = np.arange(2 * 37 * 5, dtype=dtype).reshape(2, 37, 5)
    value[1, 20, 3] = np.nan
    outputs = [max(x, 2), max(x, 1), min(x, 1), max(x, (0, 2)), min(x, None)]
    got = function([x], outputs, device="emu")(value)
    want = [value.max(2), value.max(1), value.min(1), value.max((0, 2)), value.min()]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("axis", [1, (0, 2), None])
def test_max_gradient_on_the_device_goes_to_every_tied_maximum(axis, emu):
    x = tensor("x", "float64", 3)
    a = np.random.default_rng(9).integers(0, 3, (3, 5, 2)).astype(np.float64)  # many ties
    f = function([x], grad((max(x, axis) * 3).sum(), x), device="emu")
    assert_on_device(f, Max, Elemwise, DimShuffle, GpuElemwise)
    top = a.max(axis=axis, keepdims=True)
    np.testing.assert_array_equal(f(a), 3.0 * (a == top))


def test_std_matches_numpy_and_its_gradient(device):
    point = np.random.default_rng(6).standard_normal((4, 6))
    verify_grad(lambda x: std(x, axis=1, ddof=1) + std(x), [point], device=device)
    x = matrix("x", "float64")
    np.testing.assert_allclose(function([x], std(x, axis=1, ddof=1), device=device)(point), point.std(axis=1, ddof=1))


def test_prod_gradient_is_exact_with_zeros(device):
    x = vector("x", "float64")
    got = function([x], grad(prod(x), x), device=device)([2.0, 0.0, 3.0])
    np.testing.assert_array_equal(got, [0, 6, 0])
    m = matrix("m", "float64")
    got = function([m], grad(prod(m, axis=1).sum(), m), device=device)([[0.0, 0.0, 2.0], [1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(got, [[0, 0, 0], [6, 3, 2]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_prod_gradient_runs_on_the_device(emu, dtype):
    x = tensor("x", dtype, 3)
    a = np.random.default_rng(10).choice([-2.0, -1.0, -0.5, 0.5, 1.5, 2.0], (3, 5, 7)).astype(dtype)
    a[0, 1, 3] = 0  # groups (axis 1 kept) with no zero (0 and 4), one (1), two (2) and three (3)
    a[1, 2, 0] = a[2, 2, 6] = 0
    a[0, 3, 0] = a[1, 3, 1] = a[2, 3, 2] = 0
    f = function([x], grad(prod(x, (0, 2)).sum(), x), device="emu")
    assert_on_device(f, Prod, Sum)
    want = np.empty_like(a)
    for j in range(a.shape[1]):
        group = a[:, j, :].reshape(-1)
        others = [np.prod(np.delete(group, k)) for k in range(group.size)]
        want[:, j, :] = np.reshape(others, (3, 7))
    np.testing.assert_allclose(f(a), want, rtol=1e-6)


def test_max_gradient_goes_to_every_tied_maximum():
    x = vector("x", "float64")
    got = function([x], grad(max(x), x), device="cpu")([1.0, 3.0, 3.0, 2.0])
    np.testing.assert_array_equal(got, [0, 1, 1, 0])


def test_argmax_is_the_first_maximum_as_int64(device):
    x = matrix("x")
    a = np.float32([[1, 3, 3], [2, 0, 2], [0, 0, 5]])
    outs = [argmax(x, axis=1), argmax(x, axis=0, keepdims=True), argmax(x), x.argmax(axis=-1)]
    got = function([x], outs, device=device)(a)
    assert all(g.dtype == np.int64 for g in got)
    np.testing.assert_array_equal(got[0], [1, 0, 2])
    np.testing.assert_array_equal(got[1], [[1, 0, 2]])
    assert got[2] == 8 and got[2].shape == ()
    np.testing.assert_array_equal(got[3], [1, 0, 2])
    with pytest.raises(AxisError, match="takes one axis"):
        argmax(x, axis=(0, 1))
    for shape in [(3, 0), (0, 0)]:
        with pytest.raises(ShapeError, match=r"Argmax\{axis=\(1,\)\}.*argmax of an empty sequence"):
            function([x], argmax(x, axis=1), device=device)(np.zeros(shape, np.float32))
    assert function([x], argmax(x, axis=1), device=device)(np.zeros((0, 4), np.float32)).shape == (0,)


@pytest.mark.parametrize("axis, on_emu", [(-1, True), (None, True), (0, False), (1, False)])
def test_argmax_runs_the_argmax_kernel_along_the_last_axis(axis, on_emu, emu):
    t = tensor("t", "float64", 3)
    b = np.random.default_rng(7).integers(0, 4, (2, 5, 37)).astype(np.float64)  # ties: the first one wins
    f = function([t], argmax(t, axis=axis, keepdims=True), device="emu")
    assert ("Argmax" in debugprint(f, file=io.StringIO()).splitlines()[1]) == on_emu
    got = f(b)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, np.argmax(b, axis=axis, keepdims=True) if axis is not None else
                                  np.argmax(b).reshape(1, 1, 1))


def test_sum_prod_and_mean_take_theanos_dtype_argument():
    x = vector("x", "int8")
    outs = [sum(x, dtype="float32"), prod(x, 0, "int16"), mean(x, dtype="float32"), x.sum(dtype="int8")]
    assert [o.dtype for o in outs] == ["float32", "int16", "float32", "int8"]
    got = function([x], outs, device="cpu")(np.int8([100, 100, 3]))
    assert (got[0], got[1], got[2]) == (203, 30000, np.float32(203 / 3))


def test_integer_sums_are_int64_and_means_float64():
    x = vector("x", "int8")
    s, m = sum(x), mean(x)
    assert (s.dtype, m.dtype) == ("int64", "float64")
    got_s, got_m = function([x], [s, m], device="cpu")(np.full(100, 100, np.int8))
    assert got_s == 10000 and got_m == 100.0


def test_variable_methods_take_axis_and_keepdims():
    x = matrix("x")
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    outs = [x.sum(axis=0), x.mean(axis=1, keepdims=True), x.max(), x.min(axis=0), x.prod(axis=1), x.var(axis=0)]
    got = function([x], outs, device="cpu")(a)
    wants = [a.sum(0), a.mean(1, keepdims=True), a.max(), a.min(0), a.prod(1), a.var(0)]
    for g, w in zip(got, wants):
        np.testing.assert_allclose(g, w)


def test_an_axis_out_of_range_is_refused_when_the_graph_is_built():
    x = matrix("x")
    with pytest.raises(AxisError, match=r"sum\(axis=2\): axis 2 is out of range for x \(2 dimension\(s\)\)"):
        sum(x, axis=2)
    with pytest.raises(AxisError, match="axis -3 is out of range"):
        x.max(axis=-3)
    with pytest.raises(AxisError, match="repeats an axis"):
        mean(x, axis=(1, -1))
    with pytest.raises(AxisError, match="an axis must be an integer, got 0.5"):
        var(x, axis=0.5)


def test_max_of_an_empty_axis_is_an_error_naming_the_node(device):
    x = matrix("x")
    f = function([x], max(x, axis=1), device=device)
    with pytest.raises(ShapeError, match=r"Max\{axis=\(1,\)\}.*(zero-size|identity)"):
        f(np.zeros((3, 0), np.float32))
    np.testing.assert_array_equal(function([x], sum(x, axis=1), device=device)(np.zeros((3, 0), np.float32)),
                                  [0, 0, 0])


def test_pprint_shows_axis_and_keepdims():
    from warpbench.graph import pprint
    x = matrix("x")
    assert pprint(sum(x, axis=1, keepdims=True) * x.sum() - max(x, 0)) == \
        "(sum(x, axis=(1,), keepdims=True) * sum(x)) - max(x, axis=(0,))"
