"""GEMV, y = alpha*op(A)*x + beta*y (``gemv.cu``): thread per output, warp per row, vector loads.

A is stored row-major M x N; op(A) is A, or A^T when the problem's ``trans`` is 1. Every
variant computes both: for A^T the warp variants reduce 32-column tiles instead of rows.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import (
    IN,
    INOUT,
    KernelSpec,
    Param,
    Tunable,
    Workload,
    cdiv,
    launch,
)
from warpbench.kernels.specs.common import (
    MATRIX_SHAPES,
    MATRIX_SHAPES_F64,
    matrix_dtype,
    random_array,
    require_ndim,
    require_same_dtype,
    sum_tolerance,
)
from warpbench.kernels.specs.geometry import (
    BLOCK_ROWS,
    BLOCK_RULES,
    BLOCK_ROWS_RULE,
    column_tiles_launch,
    warp_rows_launch,
)

# (alpha, beta) pairs the checks cycle through: beta == 0 (y must not be read: it is NaN),
# a general update, and a negative alpha with beta == 1.
SCALINGS = ((1.0, 0.0), (1.5, -0.5), (-2.0, 1.0))


def op_shape(p) -> tuple[int, int]:
    """(rows, cols) of op(A): y has rows entries, x has cols."""
    return (p["N"], p["M"]) if p["trans"] else (p["M"], p["N"])


def _problem(arrays, scalars):
    A, x, y = (np.asarray(arrays[n]) for n in ("A", "x", "y"))
    dtype = matrix_dtype("gemv", "A", A)
    require_ndim("gemv", "x", x, 1, "a vector")
    require_ndim("gemv", "y", y, 1, "a vector")
    require_same_dtype("gemv", {"A": A, "x": x, "y": y})
    problem = {"M": A.shape[0], "N": A.shape[1], "trans": int(bool(scalars.get("trans", 0))),
               "alpha": float(scalars.get("alpha", 1.0)), "beta": float(scalars.get("beta", 0.0)), "dtype": dtype}
    rows, cols = op_shape(problem)
    if x.shape[0] != cols:
        raise ShapeError(f"gemv: op(A) is {rows}x{cols} but x has length {x.shape[0]} ({cols} != {x.shape[0]})")
    if y.shape[0] != rows:
        raise ShapeError(f"gemv: op(A) is {rows}x{cols} but y has length {y.shape[0]} ({rows} != {y.shape[0]})")
    return problem


def _inputs(p, rng):
    rows, cols = op_shape(p)
    y = random_array((rows,), p["dtype"], rng) if p["beta"] else np.full(rows, np.nan, p["dtype"])
    return {"A": random_array((p["M"], p["N"]), p["dtype"], rng), "x": random_array((cols,), p["dtype"], rng), "y": y}


def _compute(p, ins, dtype):
    """alpha·op(A)·x + beta·y computed in ``dtype``, returned in the problem's dtype."""
    A = ins["A"].astype(dtype, copy=False)
    y = dtype(p["alpha"]) * ((A.T if p["trans"] else A) @ ins["x"].astype(dtype, copy=False))
    if p["beta"]:
        y += dtype(p["beta"]) * ins["y"].astype(dtype, copy=False)
    return {"y": y.astype(p["dtype"], copy=False)}


def _reference(p, ins):
    return _compute(p, ins, np.float64)


def _bytes(p):
    rows, cols = op_shape(p)
    y_passes = 2 if p["beta"] else 1
    return float(p["M"] * p["N"] + cols + y_passes * rows) * np.dtype(p["dtype"]).itemsize


def _host(problem, inputs, outputs):
    from warpbench.hostcode import blas
    blas.gemv(inputs["A"], inputs["x"], y=outputs["y"], alpha=problem["alpha"], beta=problem["beta"],
              trans=bool(problem["trans"]))


def _check_problems():
    problems = []
    for dtype, shapes in (("float32", MATRIX_SHAPES + ((3, 1000),)), ("float64", MATRIX_SHAPES_F64)):
        for index, (m, n) in enumerate(shapes):
            for trans in (0, 1):
                alpha, beta = SCALINGS[(2 * index + trans) % len(SCALINGS)]
                problems.append({"M": m, "N": n, "trans": trans, "alpha": alpha, "beta": beta, "dtype": dtype})
    return tuple(problems)


GEMV = Workload(
    name="gemv",
    params=(Param("y", "T*", INOUT), Param("A", "const T*", IN), Param("x", "const T*", IN), Param("M", "int"),
            Param("N", "int"), Param("alpha", "T"), Param("beta", "T"), Param("trans", "int")),
    make_inputs=_inputs,
    output_shapes=lambda p: {"y": ((op_shape(p)[0],), p["dtype"])},
    reference=_reference,
    numpy=lambda p, ins: _compute(p, ins, np.dtype(p["dtype"]).type),
    problem_of=_problem,
    flops=lambda p: 2.0 * p["M"] * p["N"],
    bytes_moved=_bytes,
    check_problems=_check_problems(),
    bench_problems=tuple({"M": 8192, "N": 8192, "trans": t, "alpha": 1.0, "beta": 0.0, "dtype": "float32"}
                         for t in (0, 1)),
    describe=lambda p: (f"{p['M']}x{p['N']} {'A^T' if p['trans'] else 'A'}x a={p['alpha']:g} b={p['beta']:g} "
                        f"{p['dtype']}"),
    host=_host,
    tolerance=lambda p: sum_tolerance(p["dtype"], op_shape(p)[1], abs(p["alpha"])),
)

BLOCK = Tunable("BLOCK", (64, 128, 256, 512, 1024), 128)


def _thread_geometry(problem, config, props):
    return launch(max(1, cdiv(op_shape(problem)[0], config["BLOCK"])), config["BLOCK"])


def _warp_geometry(problem, config, props):
    if problem["trans"]:
        return column_tiles_launch(problem["N"], config["BLOCK_ROWS"])
    return warp_rows_launch(problem["M"], config["BLOCK_ROWS"])


register(KernelSpec(
    name="sgemv_thread_row", workload=GEMV, source="gemv.cu", entry="sgemv_thread_row",
    geometry=_thread_geometry, tunables=(BLOCK,),
    restrictions=BLOCK_RULES,
    summary="thread per output: rows uncoalesced (baseline); for A^T coalesced column walks"))

WARP_VARIANTS = (
    ("sgemv_warp_row", "float32", "warp per row + shuffle reduction; A^T: 32-column tiles"),
    ("sgemv_vec4_row", "float32", "warp per row with float4 loads (N % 4 == 0, else scalar); A^T: float4 tiles"),
    ("dgemv_warp_row", "float64", "warp per row + shuffle reduction, float64; A^T: 32-column tiles"),
)

for name, dtype, summary in WARP_VARIANTS:
    register(KernelSpec(
        name=name, workload=GEMV, source="gemv.cu", entry=name, geometry=_warp_geometry, tunables=(BLOCK_ROWS,),
        restrictions=(BLOCK_ROWS_RULE,), dtypes=(dtype,), summary=summary))
