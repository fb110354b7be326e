"""Row softmax, log-softmax and cross-entropy (``softmax.cu``): warp per row and block per row.

Inputs are checked around 100 (logits in [90, 110)): exp of them overflows float32, so only
a numerically stable kernel (one that subtracts the row maximum) passes.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import (
    IN,
    OUT,
    KernelSpec,
    Param,
    Restriction,
    Tunable,
    Workload,
    launch,
)
from warpbench.kernels.specs.common import (
    MATRIX_SHAPES,
    MATRIX_SHAPES_F64,
    matrix_dtype,
    random_array,
    require_ndim,
    require_nonempty,
    sum_tolerance,
)
from warpbench.kernels.specs.geometry import (
    BLOCK_ROWS,
    BLOCK_ROWS_RULE,
    MAX_THREADS,
    warp_rows_launch,
)

# Long rows: one longer than the default shared-memory row cache (96 KiB of float32), so the
# block kernels' streaming path is checked at the default configuration too.
LONG_SHAPES = ((3, 5000), (2, 24577))
LOGIT_RANGE = (90.0, 110.0)


def _logits(p, rng):
    return random_array((p["rows"], p["cols"]), p["dtype"], rng, *LOGIT_RANGE)


def _log_softmax(x, dtype=np.float64):
    x = x.astype(dtype, copy=False)
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _check_problems():
    return tuple({"rows": r, "cols": c, "dtype": dtype}
                 for dtype, shapes in (("float32", MATRIX_SHAPES + LONG_SHAPES), ("float64", MATRIX_SHAPES_F64))
                 for r, c in shapes)


def _softmax_workload(name: str, log: bool) -> Workload:
    def problem_of(arrays, scalars):
        x = np.asarray(arrays["x"])
        dtype = matrix_dtype(name, "x", x)
        require_nonempty(name, "x", x)
        return {"rows": x.shape[0], "cols": x.shape[1], "dtype": dtype}

    def reference(p, ins, dtype=np.float64):
        out = _log_softmax(ins["x"], dtype)
        return {"out": (out if log else np.exp(out)).astype(p["dtype"], copy=False)}

    def host(problem, inputs, outputs):
        from warpbench.hostcode import nnet
        getattr(nnet, name)(inputs["x"], out=outputs["out"])

    return Workload(
        name=name,
        params=(Param("out", "T*", OUT), Param("x", "const T*", IN), Param("rows", "int"), Param("cols", "int")),
        make_inputs=lambda p, rng: {"x": _logits(p, rng)},
        output_shapes=lambda p: {"out": ((p["rows"], p["cols"]), p["dtype"])},
        reference=reference,
        numpy=lambda p, ins: reference(p, ins, ins["x"].dtype),
        problem_of=problem_of,
        flops=lambda p: 4.0 * p["rows"] * p["cols"],
        bytes_moved=lambda p: 2.0 * p["rows"] * p["cols"] * np.dtype(p["dtype"]).itemsize,
        check_problems=_check_problems(),
        bench_problems=({"rows": 8192, "cols": 8192, "dtype": "float32"},),
        describe=lambda p: f"{p['rows']}x{p['cols']} {p['dtype']}",
        host=host,
        tolerance=lambda p: sum_tolerance(p["dtype"], p["cols"]),
    )


SOFTMAX = _softmax_workload("softmax", log=False)
LOG_SOFTMAX = _softmax_workload("log_softmax", log=True)


def _cross_entropy_problem(arrays, scalars):
    logits, labels = np.asarray(arrays["logits"]), np.asarray(arrays["labels"])
    dtype = matrix_dtype("cross_entropy", "logits", logits)
    require_nonempty("cross_entropy", "logits", logits)
    require_ndim("cross_entropy", "labels", labels, 1, "a vector")
    if labels.dtype != np.int32:
        raise DTypeError(f"cross_entropy: labels has dtype {labels.dtype}, the kernel reads int32")
    rows, cols = logits.shape
    if labels.shape[0] != rows:
        raise ShapeError(f"cross_entropy: logits has {rows} rows but labels has length {labels.shape[0]}")
    bad = np.flatnonzero((labels < 0) | (labels >= cols))
    if bad.size:
        raise ShapeError(f"cross_entropy: labels[{bad[0]}] = {labels[bad[0]]} out of range [0, {cols}) "
                         f"(logits have {cols} columns)")
    return {"rows": rows, "cols": cols, "dtype": dtype}


def _cross_entropy_reference(p, ins, dtype=np.float64):
    log_probs = _log_softmax(ins["logits"], dtype)
    return {"loss": -log_probs[np.arange(p["rows"]), ins["labels"]].astype(p["dtype"], copy=False)}


def _cross_entropy_host(problem, inputs, outputs):
    from warpbench.hostcode import nnet
    nnet.cross_entropy(inputs["logits"], inputs["labels"], out=outputs["loss"])


CROSS_ENTROPY = Workload(
    name="cross_entropy",
    params=(Param("loss", "T*", OUT), Param("logits", "const T*", IN), Param("labels", "const int*", IN),
            Param("rows", "int"), Param("cols", "int")),
    make_inputs=lambda p, rng: {"logits": _logits(p, rng),
                                "labels": rng.integers(0, p["cols"], p["rows"]).astype(np.int32)},
    output_shapes=lambda p: {"loss": ((p["rows"],), p["dtype"])},
    reference=_cross_entropy_reference,
    numpy=lambda p, ins: _cross_entropy_reference(p, ins, ins["logits"].dtype),
    problem_of=_cross_entropy_problem,
    flops=lambda p: 3.0 * p["rows"] * p["cols"],
    bytes_moved=lambda p: float(p["rows"] * (p["cols"] + 1) * np.dtype(p["dtype"]).itemsize + 4 * p["rows"]),
    check_problems=_check_problems(),
    bench_problems=({"rows": 8192, "cols": 8192, "dtype": "float32"},),
    describe=lambda p: f"{p['rows']}x{p['cols']} {p['dtype']}",
    host=_cross_entropy_host,
    tolerance=lambda p: sum_tolerance(p["dtype"], p["cols"]),
)

BLOCK = Tunable("BLOCK", (64, 128, 256, 512, 1024), 256)
# 160 KiB fits the opt-in shared memory of both sm_80 (163 KiB) and sm_90 (227 KiB).
ROW_CACHE_KB = Tunable("ROW_CACHE_KB", (0, 16, 48, 96, 160), 96)

BLOCK_ROW_RULES = (
    Restriction(f"BLOCK <= {MAX_THREADS}", "threads per block"),
    Restriction("BLOCK % 32 == 0", "the block reduction works in whole warps"),
    Restriction("ROW_CACHE_KB <= 160", "opt-in shared memory of sm_80"),
)


def _warp_geometry(problem, config, props):
    return warp_rows_launch(problem["rows"], config["BLOCK_ROWS"])


def _block_geometry(problem, config, props):
    row_bytes = problem["cols"] * np.dtype(problem["dtype"]).itemsize
    cached = row_bytes <= config["ROW_CACHE_KB"] * 1024
    return launch(max(1, problem["rows"]), config["BLOCK"], row_bytes if cached else 0)


def _register_warp(name, workload, dtype, summary):
    register(KernelSpec(
        name=name, workload=workload, source="softmax.cu", entry=name, geometry=_warp_geometry,
        tunables=(BLOCK_ROWS,), restrictions=(BLOCK_ROWS_RULE,), dtypes=(dtype,),
        summary=summary))


for workload in (SOFTMAX, LOG_SOFTMAX):
    op = workload.name
    _register_warp(f"{op}_warp_row", workload, "float32",
                   f"{op}: warp per row, online max/sum, second pass re-reads the row (short rows)")
    for dtype, suffix in (("float32", ""), ("float64", "_f64")):
        register(KernelSpec(
            name=f"{op}_block_row{suffix}", workload=workload, source="softmax.cu", entry=f"{op}_block_row{suffix}",
            geometry=_block_geometry, tunables=(BLOCK, ROW_CACHE_KB), restrictions=BLOCK_ROW_RULES, dtypes=(dtype,),
            summary=f"{op}, {dtype}: block per row, row cached in shared memory, x read once (long rows)"))

for dtype, suffix in (("float32", ""), ("float64", "_f64")):
    _register_warp(f"cross_entropy_warp_row{suffix}", CROSS_ENTROPY, dtype,
                   f"per-row loss logsumexp(x) - x[label], {dtype}: warp per row, online max/sum")
