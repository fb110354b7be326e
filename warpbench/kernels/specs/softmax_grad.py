"""Backward of softmax and log-softmax, cross-entropy of probabilities with integer labels, and
the backward of the fused cross-entropy of softmax(logits) (``softmax_grad.cu``), row by row over a
rows x cols matrix, float32 and float64.

The graph's ``SoftmaxGrad``, ``LogSoftmaxGrad``, ``CrossentropyCategorical1Hot`` and its
gradient run these on a kernel device.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Workload
from warpbench.kernels.specs.common import (
    MATRIX_SHAPES,
    MATRIX_SHAPES_F64,
    matrix_dtype,
    random_array,
    require_ndim,
    require_same_dtype,
    sum_tolerance,
    tolerance,
)
from warpbench.kernels.specs.geometry import (
    BLOCK_ROWS,
    BLOCK_ROWS_RULE,
    GRID_STRIDE_RULES,
    GRID_STRIDE_TUNABLES,
    grid_stride_geometry,
    warp_rows_launch,
)
from warpbench.kernels.specs.softmax import LONG_SHAPES

ROWS = (Param("rows", "int"), Param("cols", "int"))
CHECK_PROBLEMS = tuple({"rows": r, "cols": c, "dtype": dtype}
                       for dtype, shapes in (("float32", MATRIX_SHAPES + LONG_SHAPES), ("float64", MATRIX_SHAPES_F64))
                       for r, c in shapes)
BENCH_PROBLEMS = ({"rows": 8192, "cols": 8192, "dtype": "float32"},)


def _describe(p) -> str:
    return f"{p['rows']}x{p['cols']} {p['dtype']}"


def _matrices(op: str, arrays: dict) -> dict:
    dtype = None
    for name, array in arrays.items():
        dtype = matrix_dtype(op, name, np.asarray(array))
    require_same_dtype(op, arrays)
    shapes = {np.shape(a) for a in arrays.values()}
    if len(shapes) > 1:
        raise ShapeError(f"{op}: {', '.join(f'{n} {np.shape(a)}' for n, a in arrays.items())} differ in shape")
    rows, cols = shapes.pop()
    return {"rows": rows, "cols": cols, "dtype": dtype}


def softmax_backward(dy: np.ndarray, y: np.ndarray, log: bool) -> np.ndarray:
    """dx of y = softmax(x) (or log_softmax with ``log``) along the last axis, in dy's dtype."""
    if log:
        return dy - np.exp(y) * dy.sum(axis=-1, keepdims=True)
    return (dy - (dy * y).sum(axis=-1, keepdims=True)) * y


def _softmax_bwd_workload(name: str, log: bool) -> Workload:
    def make_inputs(p, rng):
        logits = random_array((p["rows"], p["cols"]), "float64", rng, -3.0, 3.0)
        shifted = logits - logits.max(axis=1, keepdims=True)
        y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return {"dy": random_array((p["rows"], p["cols"]), p["dtype"], rng),
                "y": (y if log else np.exp(y)).astype(p["dtype"])}

    def reference(p, ins, dtype=np.float64):
        dx = softmax_backward(ins["dy"].astype(dtype), ins["y"].astype(dtype), log)
        return {"dx": dx.astype(p["dtype"], copy=False)}

    return Workload(
        name=name,
        params=(Param("dx", "T*", OUT), Param("dy", "const T*", IN), Param("y", "const T*", IN)) + ROWS,
        make_inputs=make_inputs,
        output_shapes=lambda p: {"dx": ((p["rows"], p["cols"]), p["dtype"])},
        reference=reference,
        numpy=lambda p, ins: reference(p, ins, p["dtype"]),
        problem_of=lambda arrays, scalars: _matrices(name, {"dy": arrays["dy"], "y": arrays["y"]}),
        flops=lambda p: 4.0 * p["rows"] * p["cols"],
        bytes_moved=lambda p: 3.0 * p["rows"] * p["cols"] * np.dtype(p["dtype"]).itemsize,
        check_problems=CHECK_PROBLEMS, bench_problems=BENCH_PROBLEMS, describe=_describe,
        tolerance=lambda p: sum_tolerance(p["dtype"], p["cols"]),
    )


SOFTMAX_BWD = _softmax_bwd_workload("softmax_bwd", log=False)
LOG_SOFTMAX_BWD = _softmax_bwd_workload("log_softmax_bwd", log=True)


def check_labels(op: str, labels: np.ndarray, rows: int, cols: int) -> None:
    """ShapeError/DTypeError unless ``labels`` holds one integer class index in [0, cols) per row."""
    require_ndim(op, "labels", labels, 1, "a vector")
    if labels.dtype.kind not in "iu":
        raise DTypeError(f"{op}: labels must be integer class indices, got dtype {labels.dtype}")
    if labels.shape[0] != rows:
        raise ShapeError(f"{op}: {rows} rows of probabilities but {labels.shape[0]} labels")
    bad = np.flatnonzero((labels < 0) | (labels >= cols))
    if bad.size:
        raise ShapeError(f"{op}: labels[{bad[0]}] = {labels[bad[0]]} out of range [0, {cols})")


def _probabilities(p, rng):
    raw = rng.uniform(0.05, 1.0, (p["rows"], p["cols"]))
    return (raw / raw.sum(axis=1, keepdims=True)).astype(p["dtype"])


def _crossentropy_problem(op: str, with_g: bool):
    def problem_of(arrays, scalars):
        probs = np.asarray(arrays["p"])
        dtype = matrix_dtype(op, "p", probs)
        rows, cols = probs.shape
        check_labels(op, np.asarray(arrays["labels"]), rows, cols)
        if with_g and np.shape(arrays["g"]) != (rows,):
            raise ShapeError(f"{op}: g has shape {np.shape(arrays['g'])}, expected ({rows},)")
        return {"rows": rows, "cols": cols, "dtype": dtype}
    return problem_of


def _crossentropy_inputs(p, rng, with_g: bool):
    ins = {"p": _probabilities(p, rng), "labels": rng.integers(0, p["cols"], p["rows"]).astype(np.int64)}
    if with_g:
        ins["g"] = random_array((p["rows"],), p["dtype"], rng)
    return ins


def crossentropy_backward(g: np.ndarray, probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """dp of loss[i] = -log(p[i, labels[i]]) given g = d cost / d loss."""
    dp = np.zeros_like(probs)
    rows = np.arange(probs.shape[0])
    dp[rows, labels] = -g / probs[rows, labels]
    return dp


CROSSENTROPY_1HOT = Workload(
    name="crossentropy_1hot",
    params=(Param("loss", "T*", OUT), Param("p", "const T*", IN), Param("labels", "const long long*", IN)) + ROWS,
    make_inputs=lambda p, rng: _crossentropy_inputs(p, rng, False),
    output_shapes=lambda p: {"loss": ((p["rows"],), p["dtype"])},
    reference=lambda p, ins: {"loss": -np.log(ins["p"].astype(np.float64)[np.arange(p["rows"]), ins["labels"]])
                              .astype(p["dtype"])},
    numpy=lambda p, ins: {"loss": -np.log(ins["p"][np.arange(p["rows"]), ins["labels"]])},
    problem_of=_crossentropy_problem("crossentropy_1hot", False),
    flops=lambda p: float(p["rows"]),
    bytes_moved=lambda p: float(p["rows"] * (2 * np.dtype(p["dtype"]).itemsize + 8)),
    check_problems=CHECK_PROBLEMS, bench_problems=BENCH_PROBLEMS, describe=_describe,
    tolerance=lambda p: tolerance(p["dtype"]),
)

CROSSENTROPY_1HOT_BWD = Workload(
    name="crossentropy_1hot_bwd",
    params=(Param("dp", "T*", OUT), Param("g", "const T*", IN), Param("p", "const T*", IN),
            Param("labels", "const long long*", IN)) + ROWS,
    make_inputs=lambda p, rng: _crossentropy_inputs(p, rng, True),
    output_shapes=lambda p: {"dp": ((p["rows"], p["cols"]), p["dtype"])},
    reference=lambda p, ins: {"dp": crossentropy_backward(ins["g"].astype(np.float64), ins["p"].astype(np.float64),
                                                          ins["labels"]).astype(p["dtype"])},
    numpy=lambda p, ins: {"dp": crossentropy_backward(ins["g"], ins["p"], ins["labels"])},
    problem_of=_crossentropy_problem("crossentropy_1hot_bwd", True),
    flops=lambda p: float(p["rows"]),
    bytes_moved=lambda p: float(p["rows"] * (p["cols"] + 2) * np.dtype(p["dtype"]).itemsize + 8 * p["rows"]),
    check_problems=CHECK_PROBLEMS, bench_problems=BENCH_PROBLEMS, describe=_describe,
    tolerance=lambda p: tolerance(p["dtype"]),
)


def crossentropy_softmax_backward(g: np.ndarray, x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """dx of loss[i] = -log_softmax(x)[i, labels[i]] given g = d cost / d loss, in x's dtype."""
    shifted = x - x.max(axis=1, keepdims=True)
    dx = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    dx[np.arange(x.shape[0]), labels] -= 1
    return (dx * g[:, None]).astype(x.dtype, copy=False)


def _crossentropy_softmax_problem(arrays, scalars):
    op = "crossentropy_softmax_bwd"
    x, g = np.asarray(arrays["x"]), np.asarray(arrays["g"])
    dtype = matrix_dtype(op, "x", x)
    check_labels(op, np.asarray(arrays["labels"]), *x.shape)
    if g.shape != (x.shape[0],):
        raise ShapeError(f"{op}: g has shape {g.shape}, expected ({x.shape[0]},)")
    return {"rows": x.shape[0], "cols": x.shape[1], "dtype": dtype}


def _crossentropy_softmax_inputs(p, rng):
    return {"g": random_array((p["rows"],), p["dtype"], rng),
            "x": random_array((p["rows"], p["cols"]), p["dtype"], rng, -30.0, 30.0),
            "labels": rng.integers(0, p["cols"], p["rows"]).astype(np.int64)}


CROSSENTROPY_SOFTMAX_BWD = Workload(
    name="crossentropy_softmax_bwd",
    params=(Param("dx", "T*", OUT), Param("g", "const T*", IN), Param("x", "const T*", IN),
            Param("labels", "const long long*", IN)) + ROWS,
    make_inputs=_crossentropy_softmax_inputs,
    output_shapes=lambda p: {"dx": ((p["rows"], p["cols"]), p["dtype"])},
    reference=lambda p, ins: {"dx": crossentropy_softmax_backward(ins["g"].astype(np.float64),
                                                                  ins["x"].astype(np.float64),
                                                                  ins["labels"]).astype(p["dtype"])},
    numpy=lambda p, ins: {"dx": crossentropy_softmax_backward(ins["g"], ins["x"], ins["labels"])},
    problem_of=_crossentropy_softmax_problem,
    flops=lambda p: 5.0 * p["rows"] * p["cols"],
    bytes_moved=lambda p: float(p["rows"] * (2 * p["cols"] + 1) * np.dtype(p["dtype"]).itemsize + 8 * p["rows"]),
    check_problems=CHECK_PROBLEMS, bench_problems=BENCH_PROBLEMS, describe=_describe,
    tolerance=lambda p: sum_tolerance(p["dtype"], p["cols"]),
)


def _warp_geometry(p, config, props):
    return warp_rows_launch(p["rows"], config["BLOCK_ROWS"])


for suffix, dtype in (("", "float32"), ("_f64", "float64")):
    for workload in (SOFTMAX_BWD, LOG_SOFTMAX_BWD):
        register(KernelSpec(
            name=f"{workload.name}_warp_row{suffix}", workload=workload, source="softmax_grad.cu",
            entry=f"{workload.name}_warp_row{suffix}", geometry=_warp_geometry, tunables=(BLOCK_ROWS,),
            restrictions=(BLOCK_ROWS_RULE,), dtypes=(dtype,),
            summary=f"{workload.name}, {dtype}: warp per row, shuffle-reduced row sum, second pass writes dx"))
    register(KernelSpec(
        name=f"crossentropy_softmax_bwd_warp_row{suffix}", workload=CROSSENTROPY_SOFTMAX_BWD,
        source="softmax_grad.cu", entry=f"crossentropy_softmax_bwd_warp_row{suffix}", geometry=_warp_geometry,
        tunables=(BLOCK_ROWS,), restrictions=(BLOCK_ROWS_RULE,), dtypes=(dtype,),
        summary=f"g * (softmax(x) - onehot), {dtype}: warp per row, max and sum by shuffles, third pass writes"))
    register(KernelSpec(
        name=f"crossentropy_1hot{suffix}", workload=CROSSENTROPY_1HOT, source="softmax_grad.cu",
        entry=f"crossentropy_1hot{suffix}",
        geometry=lambda p, c, props: grid_stride_geometry({"n": p["rows"]}, c, props),
        tunables=GRID_STRIDE_TUNABLES, restrictions=GRID_STRIDE_RULES, dtypes=(dtype,),
        summary=f"-log p[i, label i], {dtype}: thread per row"))
    register(KernelSpec(
        name=f"crossentropy_1hot_bwd{suffix}", workload=CROSSENTROPY_1HOT_BWD, source="softmax_grad.cu",
        entry=f"crossentropy_1hot_bwd{suffix}",
        geometry=lambda p, c, props: grid_stride_geometry({"n": p["rows"] * p["cols"]}, c, props),
        tunables=GRID_STRIDE_TUNABLES, restrictions=GRID_STRIDE_RULES, dtypes=(dtype,),
        summary=f"dp, {dtype}: thread per element, -g / p at the label, zero elsewhere"))
