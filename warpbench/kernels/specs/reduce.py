"""Sum and max of a matrix along an axis, and argmax over rows (``reduce.cu``)."""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Workload
from warpbench.kernels.specs.common import (
    MATRIX_SHAPES,
    MATRIX_SHAPES_F64,
    matrix_dtype,
    random_array,
    require_nonempty,
    sum_tolerance,
)
from warpbench.kernels.specs.geometry import (
    BLOCK_ROWS,
    BLOCK_ROWS_RULE,
    column_tiles_launch,
    warp_rows_launch,
)


def matrix_axis(op: str, scalars) -> int:
    """The ``axis`` scalar as 0 or 1; ShapeError naming ``op`` for anything else."""
    axis = scalars.get("axis")
    if axis not in (0, 1, -1, -2):
        raise ShapeError(f"{op}: axis must be 0 or 1 (or -1, -2) for a matrix, got {axis!r}")
    return axis % 2


def _reduce_workload(op: str, numpy_op, picks_element: bool) -> Workload:
    """A reduction workload; ``picks_element``: the result is one of the inputs (max), so it is
    exact and undefined for an empty matrix."""
    def problem_of(arrays, scalars):
        x = np.asarray(arrays["x"])
        dtype = matrix_dtype(op, "x", x)
        if picks_element:
            require_nonempty(op, "x", x)
        return {"rows": x.shape[0], "cols": x.shape[1], "axis": matrix_axis(op, scalars), "dtype": dtype}

    def out_length(p):
        return p["cols"] if p["axis"] == 0 else p["rows"]

    def host(problem, inputs, outputs):
        from warpbench.hostcode import nnet
        getattr(nnet, op)(inputs["x"], problem["axis"], out=outputs["out"])

    return Workload(
        name=op,
        params=(Param("out", "T*", OUT), Param("x", "const T*", IN), Param("rows", "int"), Param("cols", "int"),
                Param("axis", "int")),
        make_inputs=lambda p, rng: {"x": random_array((p["rows"], p["cols"]), p["dtype"], rng)},
        output_shapes=lambda p: {"out": ((out_length(p),), p["dtype"])},
        reference=lambda p, ins: {"out": numpy_op(ins["x"].astype(np.float64), axis=p["axis"]).astype(p["dtype"])},
        numpy=lambda p, ins: {"out": numpy_op(ins["x"], axis=p["axis"])},
        problem_of=problem_of,
        flops=lambda p: float(p["rows"] * p["cols"]),
        bytes_moved=lambda p: float(p["rows"] * p["cols"] + out_length(p)) * np.dtype(p["dtype"]).itemsize,
        check_problems=tuple({"rows": r, "cols": c, "axis": axis, "dtype": dtype}
                             for dtype, shapes in (("float32", MATRIX_SHAPES), ("float64", MATRIX_SHAPES_F64))
                             for r, c in shapes for axis in (0, 1)),
        bench_problems=tuple({"rows": 8192, "cols": 8192, "axis": axis, "dtype": "float32"} for axis in (1, 0)),
        describe=lambda p: f"{p['rows']}x{p['cols']} axis={p['axis']} {p['dtype']}",
        host=host,
        tolerance=lambda p: (0.0, 0.0) if picks_element else sum_tolerance(
            p["dtype"], p["cols"] if p["axis"] else p["rows"]),
    )


REDUCE_SUM = _reduce_workload("reduce_sum", np.sum, picks_element=False)
REDUCE_MAX = _reduce_workload("reduce_max", np.max, picks_element=True)


def _argmax_problem(arrays, scalars):
    x = np.asarray(arrays["x"])
    dtype = matrix_dtype("argmax", "x", x)
    require_nonempty("argmax", "x", x)
    return {"rows": x.shape[0], "cols": x.shape[1], "dtype": dtype}


def _argmax_host(problem, inputs, outputs):
    from warpbench.hostcode import nnet
    nnet.argmax(inputs["x"], out=outputs["out"])


ARGMAX = Workload(
    name="argmax",
    params=(Param("out", "int*", OUT), Param("x", "const T*", IN), Param("rows", "int"), Param("cols", "int")),
    # Small integers make ties common, so the first-maximum rule is exercised.
    make_inputs=lambda p, rng: {"x": rng.integers(0, 4, (p["rows"], p["cols"])).astype(p["dtype"])},
    output_shapes=lambda p: {"out": ((p["rows"],), "int32")},
    reference=lambda p, ins: {"out": np.argmax(ins["x"], axis=1).astype(np.int32)},
    problem_of=_argmax_problem,
    flops=lambda p: float(p["rows"] * p["cols"]),
    bytes_moved=lambda p: float(p["rows"] * p["cols"] * np.dtype(p["dtype"]).itemsize + 4 * p["rows"]),
    check_problems=tuple({"rows": r, "cols": c, "dtype": dtype}
                         for dtype, shapes in (("float32", MATRIX_SHAPES), ("float64", MATRIX_SHAPES_F64))
                         for r, c in shapes),
    bench_problems=({"rows": 8192, "cols": 8192, "dtype": "float32"},),
    describe=lambda p: f"{p['rows']}x{p['cols']} {p['dtype']}",
    host=_argmax_host,
    tolerance=lambda p: (0.0, 0.0),
)


def axis_geometry(problem, config, props):
    """Block (32, BLOCK_ROWS): a warp per row for axis 1, a block per 32 columns for axis 0."""
    if problem["axis"] == 0:
        return column_tiles_launch(problem["cols"], config["BLOCK_ROWS"])
    return warp_rows_launch(problem["rows"], config["BLOCK_ROWS"])


for workload, what in ((REDUCE_SUM, "sum"), (REDUCE_MAX, "max")):
    for dtype, suffix in (("float32", ""), ("float64", "_f64")):
        register(KernelSpec(
            name=f"{workload.name}{suffix}", workload=workload, source="reduce.cu", entry=f"{workload.name}{suffix}",
            geometry=axis_geometry, tunables=(BLOCK_ROWS,), restrictions=(BLOCK_ROWS_RULE,),
            dtypes=(dtype,),
            summary=f"{what} along an axis, {dtype}: warp per row (axis 1), 32-column tiles (axis 0)"))

for dtype, suffix in (("float32", ""), ("float64", "_f64")):
    register(KernelSpec(
        name=f"argmax_warp_row{suffix}", workload=ARGMAX, source="reduce.cu", entry=f"argmax_warp_row{suffix}",
        geometry=lambda p, c, props: warp_rows_launch(p["rows"], c["BLOCK_ROWS"]), tunables=(BLOCK_ROWS,),
        restrictions=(BLOCK_ROWS_RULE,), dtypes=(dtype,),
        summary=f"first maximum of each row, {dtype}: warp per row, (value, index) shuffle merge"))
