"""conv2d backward, NCHW (``conv2d_grad.cu``): the gradient w.r.t. the input (bwd data) and
w.r.t. the filters (bwd filter), float32 and float64, any stride, padding and dilation.

Problems are conv2d's (:func:`~warpbench.kernels.specs.conv2d.conv_problem`, no epilogue) with
a dtype. The NumPy references here are the graph's ``Conv2dGradInputs``/``Conv2dGradWeights``.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Workload
from warpbench.kernels.specs.common import random_array, require_dtype, require_ndim, require_same_dtype, sum_tolerance
from warpbench.kernels.specs.conv2d import CHECK_SHAPES, GEOMETRY_KEYS, conv_problem, describe, filter_taps
from warpbench.kernels.specs.geometry import (
    BLOCK_ROWS,
    BLOCK_ROWS_RULE,
    GRID_STRIDE_RULES,
    GRID_STRIDE_TUNABLES,
    grid_stride_geometry,
    warp_rows_launch,
)


def _out_shape(p) -> tuple:
    return p["N"], p["K"], p["P"], p["Q"]


def grad_inputs(p: dict, w: np.ndarray, g: np.ndarray, dtype) -> np.ndarray:
    """dx of problem ``p`` in ``dtype``: each filter tap scatters g . w[:, :, r, s] back onto the
    padded input, and the padding is cut off."""
    ph, pw, sh, sw = p["pad_h"], p["pad_w"], p["stride_h"], p["stride_w"]
    g, w = g.astype(dtype, copy=False), w.astype(dtype, copy=False)
    padded = np.zeros((p["N"], p["C"], p["H"] + 2 * ph, p["W"] + 2 * pw), dtype)
    for r in range(p["R"]):
        h0 = r * p["dil_h"]
        for s in range(p["S"]):
            w0 = s * p["dil_w"]
            tap = np.tensordot(g, w[:, :, r, s], axes=(1, 0)).transpose(0, 3, 1, 2)
            padded[:, :, h0: h0 + sh * (p["P"] - 1) + 1: sh, w0: w0 + sw * (p["Q"] - 1) + 1: sw] += tap
    return np.ascontiguousarray(padded[:, :, ph: ph + p["H"], pw: pw + p["W"]])


def grad_filters(p: dict, x: np.ndarray, g: np.ndarray, dtype) -> np.ndarray:
    """dw of problem ``p`` in ``dtype``: each tap is the input under it contracted with g."""
    g = g.astype(dtype, copy=False)
    dw = np.zeros((p["K"], p["C"], p["R"], p["S"]), dtype)
    for r, s, tap in filter_taps(x, p, dtype):
        dw[:, :, r, s] = np.tensordot(g, tap, axes=((0, 2, 3), (0, 2, 3)))
    return dw


def _geometry_of(op: str, x_shape, w_shape, g: np.ndarray, scalars, dtype) -> dict:
    p = conv_problem(*x_shape, w_shape[0], *w_shape[2:], scalars.get("stride", 1), scalars.get("padding", 0),
                     scalars.get("dilation", 1), bias=False, op=op)
    if g.shape != _out_shape(p):
        raise ShapeError(f"{op}: g is {'x'.join(map(str, g.shape))} but the convolution's output is "
                         f"{'x'.join(map(str, _out_shape(p)))}")
    return {**p, "dtype": dtype}


def _data_problem(arrays, scalars):
    g, w = np.asarray(arrays["g"]), np.asarray(arrays["w"])
    require_ndim("conv2d_bwd_data", "g", g, 4, "an N x K x P x Q tensor")
    require_ndim("conv2d_bwd_data", "w", w, 4, "a K x C x R x S tensor")
    dtype = require_dtype("conv2d_bwd_data", "g", g)
    require_same_dtype("conv2d_bwd_data", {"g": g, "w": w})
    if "H" not in scalars or "W" not in scalars:
        raise ShapeError("conv2d_bwd_data: the input extents H and W must be given (the stride hides them)")
    x_shape = (g.shape[0], w.shape[1], int(scalars["H"]), int(scalars["W"]))
    return _geometry_of("conv2d_bwd_data", x_shape, w.shape, g, scalars, dtype)


def _filter_problem(arrays, scalars):
    g, x = np.asarray(arrays["g"]), np.asarray(arrays["x"])
    require_ndim("conv2d_bwd_filter", "g", g, 4, "an N x K x P x Q tensor")
    require_ndim("conv2d_bwd_filter", "x", x, 4, "an N x C x H x W tensor")
    dtype = require_dtype("conv2d_bwd_filter", "g", g)
    require_same_dtype("conv2d_bwd_filter", {"g": g, "x": x})
    if "R" not in scalars or "S" not in scalars:
        raise ShapeError("conv2d_bwd_filter: the filter extents R and S must be given")
    w_shape = (g.shape[1], x.shape[1], int(scalars["R"]), int(scalars["S"]))
    return _geometry_of("conv2d_bwd_filter", x.shape, w_shape, g, scalars, dtype)


def _inputs(p, rng, other: str):
    shapes = {"w": (p["K"], p["C"], p["R"], p["S"]), "x": (p["N"], p["C"], p["H"], p["W"])}
    return {"g": random_array(_out_shape(p), p["dtype"], rng), other: random_array(shapes[other], p["dtype"], rng)}


def _check_problems():
    problems = [{**conv_problem(*shape, **{k: v for k, v in options.items() if k not in ("bias", "relu")},
                                bias=False), "dtype": dtype}
                for dtype, shapes in (("float32", CHECK_SHAPES), ("float64", CHECK_SHAPES[1:4]))
                for shape, options in shapes]
    return tuple(problems)


GEOMETRY_PARAMS = tuple(Param(k, "int") for k in GEOMETRY_KEYS)
ITEMSIZE = {"float32": 4, "float64": 8}

CONV2D_BWD_DATA = Workload(
    name="conv2d_bwd_data",
    params=(Param("dx", "T*", OUT), Param("g", "const T*", IN), Param("w", "const T*", IN)) + GEOMETRY_PARAMS,
    make_inputs=lambda p, rng: _inputs(p, rng, "w"),
    output_shapes=lambda p: {"dx": ((p["N"], p["C"], p["H"], p["W"]), p["dtype"])},
    reference=lambda p, ins: {"dx": grad_inputs(p, ins["w"], ins["g"], np.float64).astype(p["dtype"])},
    numpy=lambda p, ins: {"dx": grad_inputs(p, ins["w"], ins["g"], p["dtype"])},
    problem_of=_data_problem,
    flops=lambda p: 2.0 * p["N"] * p["K"] * p["P"] * p["Q"] * p["C"] * p["R"] * p["S"],
    bytes_moved=lambda p: float(ITEMSIZE[p["dtype"]] * (p["N"] * p["C"] * p["H"] * p["W"]
                                                        + p["K"] * p["C"] * p["R"] * p["S"]
                                                        + p["N"] * p["K"] * p["P"] * p["Q"])),
    check_problems=_check_problems(),
    # LeNet's second layer and a ResNet 3x3 64->64 layer, batch 64.
    bench_problems=({**conv_problem(64, 20, 12, 12, 50, 5, 5, bias=False), "dtype": "float32"},
                    {**conv_problem(64, 64, 56, 56, 64, 3, 3, padding=1, bias=False), "dtype": "float32"}),
    describe=lambda p: f"{describe(p)} {p['dtype']}",
    tolerance=lambda p: sum_tolerance(p["dtype"], p["K"] * p["R"] * p["S"]),
)

CONV2D_BWD_FILTER = Workload(
    name="conv2d_bwd_filter",
    params=(Param("dw", "T*", OUT), Param("g", "const T*", IN), Param("x", "const T*", IN)) + GEOMETRY_PARAMS,
    make_inputs=lambda p, rng: _inputs(p, rng, "x"),
    output_shapes=lambda p: {"dw": ((p["K"], p["C"], p["R"], p["S"]), p["dtype"])},
    reference=lambda p, ins: {"dw": grad_filters(p, ins["x"], ins["g"], np.float64).astype(p["dtype"])},
    numpy=lambda p, ins: {"dw": grad_filters(p, ins["x"], ins["g"], p["dtype"])},
    problem_of=_filter_problem,
    flops=CONV2D_BWD_DATA.flops,
    bytes_moved=CONV2D_BWD_DATA.bytes_moved,
    check_problems=_check_problems(),
    bench_problems=CONV2D_BWD_DATA.bench_problems,
    describe=CONV2D_BWD_DATA.describe,
    tolerance=lambda p: sum_tolerance(p["dtype"], p["N"] * p["P"] * p["Q"]),
)


def _data_geometry(p, config, props):
    return grid_stride_geometry({"n": p["N"] * p["C"] * p["H"] * p["W"]}, config, props)


for suffix, dtype in (("", "float32"), ("_f64", "float64")):
    register(KernelSpec(
        name=f"conv2d_bwd_data_direct{suffix}", workload=CONV2D_BWD_DATA, source="conv2d_grad.cu",
        entry=f"conv2d_bwd_data_direct{suffix}", geometry=_data_geometry, tunables=GRID_STRIDE_TUNABLES,
        restrictions=GRID_STRIDE_RULES, dtypes=(dtype,),
        summary=f"dx, {dtype}: thread per input element gathers g * w over the taps landing on it"))
    register(KernelSpec(
        name=f"conv2d_bwd_filter_warp{suffix}", workload=CONV2D_BWD_FILTER, source="conv2d_grad.cu",
        entry=f"conv2d_bwd_filter_warp{suffix}",
        geometry=lambda p, c, props: warp_rows_launch(p["K"] * p["C"] * p["R"] * p["S"], c["BLOCK_ROWS"]),
        tunables=(BLOCK_ROWS,), restrictions=(BLOCK_ROWS_RULE,), dtypes=(dtype,),
        summary=f"dw, {dtype}: warp per filter element sums g * x over N*P*Q, shuffle reduction"))


def flip_problem(w_shape, dtype) -> dict:
    """The problem of flipping filters of ``w_shape`` (K, C, R, S)."""
    k, c, r, s = w_shape
    return {"planes": k * c, "K": k, "C": c, "R": r, "S": s, "dtype": np.dtype(dtype).name}


def _flip_problem(arrays, scalars):
    w = np.asarray(arrays["w"])
    require_ndim("conv2d_flip_filters", "w", w, 4, "a K x C x R x S tensor")
    return flip_problem(w.shape, require_dtype("conv2d_flip_filters", "w", w))


def _flip_shape(p) -> tuple:
    return p["K"], p["C"], p["R"], p["S"]


CONV2D_FLIP_FILTERS = Workload(
    name="conv2d_flip_filters",
    params=(Param("out", "T*", OUT), Param("w", "const T*", IN), Param("planes", "long long"), Param("R", "int"),
            Param("S", "int")),
    make_inputs=lambda p, rng: {"w": random_array(_flip_shape(p), p["dtype"], rng)},
    output_shapes=lambda p: {"out": (_flip_shape(p), p["dtype"])},
    reference=lambda p, ins: {"out": ins["w"][:, :, ::-1, ::-1].copy()},
    problem_of=_flip_problem,
    flops=lambda p: 0.0,
    bytes_moved=lambda p: 2.0 * np.prod(_flip_shape(p)) * ITEMSIZE[p["dtype"]],
    check_problems=tuple(flip_problem(shape, dtype) for dtype in ("float32", "float64")
                         for shape in ((1, 1, 1, 1), (3, 2, 3, 3), (5, 7, 1, 4), (2, 3, 5, 2))),
    bench_problems=(flip_problem((64, 64, 3, 3), "float32"),),
    describe=lambda p: f"{'x'.join(str(d) for d in _flip_shape(p))} {p['dtype']}",
    tolerance=lambda p: (0.0, 0.0),
)

for suffix, dtype in (("", "float32"), ("_f64", "float64")):
    register(KernelSpec(
        name=f"conv2d_flip_filters{suffix}", workload=CONV2D_FLIP_FILTERS, source="conv2d_grad.cu",
        entry=f"conv2d_flip_filters{suffix}",
        geometry=lambda p, c, props: grid_stride_geometry({"n": p["planes"] * p["R"] * p["S"]}, c, props),
        tunables=GRID_STRIDE_TUNABLES, restrictions=GRID_STRIDE_RULES, dtypes=(dtype,),
        summary=f"filters rotated 180 degrees (Theano's filter_flip), {dtype}: thread per element"))
