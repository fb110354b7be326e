"""Gradients of the axis reductions (``reduce_grad.cu``): dx for a rows x cols matrix x from
dy, the gradient of its reduction along ``axis`` (cols entries for axis 0, rows for axis 1).

``reduce_sum_grad`` broadcasts ``scale * dy`` along the axis: scale 1 for a sum, 1/n for a
mean over n = rows (axis 0) or cols (axis 1). ``reduce_max_grad`` routes dy to the first
maximum of each line, as numpy.argmax picks it, and zeros elsewhere (Theano instead gives dy
to every tied maximum; with distinct values the two agree).

They are registry studies, checked and benchmarked as such; graphs do not use them: there the
gradient of a sum is a ``fill`` and that of a max ``eq(x, max) * g`` (Theano's rule, every tied
maximum), elementwise ops that fuse with their neighbours into one generated kernel.
"""
from __future__ import annotations

import numbers

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Workload
from warpbench.kernels.specs.common import (
    MATRIX_SHAPES,
    MATRIX_SHAPES_F64,
    matrix_dtype,
    random_array,
    require_dtype,
    require_ndim,
    require_nonempty,
    require_same_dtype,
    tolerance,
)
from warpbench.kernels.specs.geometry import (
    BLOCK_ROWS,
    BLOCK_ROWS_RULE,
    TILE_2D_RULES,
    TILE_2D_TUNABLES,
    rows_by_cols_launch,
)
from warpbench.kernels.specs.reduce import axis_geometry, matrix_axis


def reduced_length(p) -> int:
    """Entries of the reduction along ``p["axis"]``, the length of dy."""
    return p["cols"] if p["axis"] == 0 else p["rows"]


def _require_dy(op: str, dy: np.ndarray, p) -> None:
    require_ndim(op, "dy", dy, 1, "a vector")
    if dy.shape[0] != reduced_length(p):
        raise ShapeError(f"{op}: dy has {dy.shape[0]} entries, the reduction of a {p['rows']}x{p['cols']} "
                         f"matrix along axis {p['axis']} has {reduced_length(p)}")


def _shape_scalar(op: str, scalars, name: str) -> int:
    value = scalars.get(name)
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise ShapeError(f"{op}: {name} (of x, the reduced matrix) must be a non-negative integer, got {value!r}")
    return int(value)


def _sum_grad_problem(arrays, scalars):
    dy = np.asarray(arrays["dy"])
    dtype = require_dtype("reduce_sum_grad", "dy", dy)
    p = {"rows": _shape_scalar("reduce_sum_grad", scalars, "rows"),
         "cols": _shape_scalar("reduce_sum_grad", scalars, "cols"),
         "axis": matrix_axis("reduce_sum_grad", scalars), "scale": float(scalars.get("scale", 1.0)), "dtype": dtype}
    _require_dy("reduce_sum_grad", dy, p)
    return p


def _broadcast(p, dy, dtype):
    """scale * dy repeated along the reduced axis, in ``dtype``."""
    column = np.expand_dims(dy.astype(dtype) * dtype(p["scale"]), p["axis"])
    return np.broadcast_to(column, (p["rows"], p["cols"]))


def _sum_grad_host(p, inputs, outputs):
    dtype = np.dtype(p["dtype"]).type
    outputs["dx"][...] = _broadcast(p, inputs["dy"], dtype)


def _sum_grad_problems():
    # Sums (scale 1) and means (scale 1/n) in turn over the shapes and axes.
    problems = []
    for dtype, shapes in (("float32", MATRIX_SHAPES), ("float64", MATRIX_SHAPES_F64)):
        for index, (r, c) in enumerate(shapes):
            for axis in (0, 1):
                scale = 1.0 if (index + axis) % 2 else 1.0 / (r if axis == 0 else c)
                problems.append({"rows": r, "cols": c, "axis": axis, "scale": scale, "dtype": dtype})
    return tuple(problems)


REDUCE_SUM_GRAD = Workload(
    name="reduce_sum_grad",
    params=(Param("dx", "T*", OUT), Param("dy", "const T*", IN), Param("rows", "int"), Param("cols", "int"),
            Param("axis", "int"), Param("scale", "T")),
    make_inputs=lambda p, rng: {"dy": random_array((reduced_length(p),), p["dtype"], rng)},
    output_shapes=lambda p: {"dx": ((p["rows"], p["cols"]), p["dtype"])},
    reference=lambda p, ins: {"dx": _broadcast(p, ins["dy"], np.float64).astype(p["dtype"])},
    numpy=lambda p, ins: {"dx": np.ascontiguousarray(_broadcast(p, ins["dy"], np.dtype(p["dtype"]).type))},
    problem_of=_sum_grad_problem,
    flops=lambda p: float(p["rows"] * p["cols"]),
    bytes_moved=lambda p: float(p["rows"] * p["cols"] + reduced_length(p)) * np.dtype(p["dtype"]).itemsize,
    check_problems=_sum_grad_problems(),
    bench_problems=tuple({"rows": 8192, "cols": 8192, "axis": axis, "scale": 1.0, "dtype": "float32"}
                         for axis in (1, 0)),
    describe=lambda p: f"{p['rows']}x{p['cols']} axis={p['axis']} scale={p['scale']:g} {p['dtype']}",
    host=_sum_grad_host,
    # One rounding of scale to the dtype and one of the product.
    tolerance=lambda p: tolerance(p["dtype"]),
)


def _max_grad_problem(arrays, scalars):
    x, dy = np.asarray(arrays["x"]), np.asarray(arrays["dy"])
    dtype = matrix_dtype("reduce_max_grad", "x", x)
    require_nonempty("reduce_max_grad", "x", x)
    require_same_dtype("reduce_max_grad", {"x": x, "dy": dy})
    p = {"rows": x.shape[0], "cols": x.shape[1], "axis": matrix_axis("reduce_max_grad", scalars), "dtype": dtype}
    _require_dy("reduce_max_grad", dy, p)
    return p


def _routed(p, x, dy, out):
    """out = dy at the first maximum of each line along the axis, zeros elsewhere."""
    out[...] = 0
    lines = np.arange(reduced_length(p))
    at = np.argmax(x, axis=p["axis"])
    if p["axis"] == 0:
        out[at, lines] = dy
    else:
        out[lines, at] = dy
    return out


REDUCE_MAX_GRAD = Workload(
    name="reduce_max_grad",
    params=(Param("dx", "T*", OUT), Param("x", "const T*", IN), Param("dy", "const T*", IN), Param("rows", "int"),
            Param("cols", "int"), Param("axis", "int")),
    # Small integers make ties common, so the first-maximum rule is exercised.
    make_inputs=lambda p, rng: {"x": rng.integers(0, 4, (p["rows"], p["cols"])).astype(p["dtype"]),
                                "dy": random_array((reduced_length(p),), p["dtype"], rng)},
    output_shapes=lambda p: {"dx": ((p["rows"], p["cols"]), p["dtype"])},
    reference=lambda p, ins: {"dx": _routed(p, ins["x"], ins["dy"], np.empty((p["rows"], p["cols"]), p["dtype"]))},
    problem_of=_max_grad_problem,
    flops=lambda p: float(p["rows"] * p["cols"]),
    bytes_moved=lambda p: float(2 * p["rows"] * p["cols"] + reduced_length(p)) * np.dtype(p["dtype"]).itemsize,
    check_problems=tuple({"rows": r, "cols": c, "axis": axis, "dtype": dtype}
                         for dtype, shapes in (("float32", MATRIX_SHAPES), ("float64", MATRIX_SHAPES_F64))
                         for r, c in shapes for axis in (0, 1)),
    bench_problems=tuple({"rows": 8192, "cols": 8192, "axis": axis, "dtype": "float32"} for axis in (1, 0)),
    describe=lambda p: f"{p['rows']}x{p['cols']} axis={p['axis']} {p['dtype']}",
    host=lambda p, ins, outs: _routed(p, ins["x"], ins["dy"], outs["dx"]),
    tolerance=lambda p: (0.0, 0.0),
)

for dtype, suffix in (("float32", ""), ("float64", "_f64")):
    register(KernelSpec(
        name=f"reduce_sum_grad{suffix}", workload=REDUCE_SUM_GRAD, source="reduce_grad.cu",
        entry=f"reduce_sum_grad{suffix}", geometry=lambda p, c, props: rows_by_cols_launch(p["rows"], p["cols"], c),
        tunables=TILE_2D_TUNABLES, restrictions=TILE_2D_RULES, dtypes=(dtype,),
        summary=f"d(sum or mean along an axis), {dtype}: scale * dy broadcast, 2-D tiles, rows grid-stride"))
    register(KernelSpec(
        name=f"reduce_max_grad{suffix}", workload=REDUCE_MAX_GRAD, source="reduce_grad.cu",
        entry=f"reduce_max_grad{suffix}", geometry=axis_geometry, tunables=(BLOCK_ROWS,),
        restrictions=(BLOCK_ROWS_RULE,), dtypes=(dtype,),
        summary=f"d(max along an axis), {dtype}: dy to the first maximum; warp per row, 32-column tiles"))
