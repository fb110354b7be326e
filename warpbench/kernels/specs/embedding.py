"""Embedding lookup (``nnet.cu``): out[..., :] = table[ids[...], :] for a table (V, D) and
int32 ids of any shape; out has shape ids.shape + (D,). Its gradient (``embedding_grad.cu``)
scatters dout back: dtable[ids[r], :] += dout[r, :], np.add.at over the flattened ids.

Ids are validated here, on the host: a kernel cannot raise, so one that meets an id outside
[0, V) anyway writes a row of zeros rather than reading out of bounds.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, INOUT, OUT, KernelSpec, Param, Tunable, Workload, cdiv, launch
from warpbench.kernels.specs.common import matrix_dtype, random_array, require_same_dtype, sum_tolerance
from warpbench.kernels.specs.geometry import (
    MAX_GRID_Y,
    MAX_THREADS,
    TILE_2D_RULES,
    TILE_2D_TUNABLES,
    rows_by_cols_launch,
)

# (V, D, ids shape): a single row, D of 1, a warp plus one, vectors not a multiple of the
# block, 2-D ids (time x batch, as the char-LSTM feeds them) and repeated ids (V < count).
CHECK_CASES = ((1, 1, (1,)), (50, 16, (7,)), (97, 33, (5, 13)), (7, 300, (3, 11)), (1000, 64, (30, 4)),
               (3, 5, (2, 3, 4)))
CHECK_CASES_F64 = ((1, 1, (1,)), (97, 33, (5, 13)))


def _checked_ids(op: str, ids: np.ndarray, vocabulary: int, table: str) -> None:
    """DTypeError unless ids are int32; ShapeError naming the first id outside [0, vocabulary)."""
    if ids.dtype != np.int32:
        raise DTypeError(f"{op}: ids has dtype {ids.dtype}, the kernel reads int32")
    bad = np.flatnonzero((ids < 0) | (ids >= vocabulary))
    if bad.size:
        where = np.unravel_index(bad[0], ids.shape)
        raise ShapeError(f"{op}: ids[{', '.join(map(str, where))}] = {ids.flat[bad[0]]} out of range "
                         f"[0, {vocabulary}) ({table} has {vocabulary} rows)")


def _problem(arrays, scalars):
    table, ids = np.asarray(arrays["table"]), np.asarray(arrays["ids"])
    dtype = matrix_dtype("embedding", "table", table)
    _checked_ids("embedding", ids, table.shape[0], "table")
    return {"count": ids.size, "V": table.shape[0], "D": table.shape[1], "ids_shape": ids.shape, "dtype": dtype}


def _inputs(p, rng):
    return {"table": random_array((p["V"], p["D"]), p["dtype"], rng),
            "ids": rng.integers(0, p["V"], p["ids_shape"]).astype(np.int32)}


def _host(problem, inputs, outputs):
    from warpbench.hostcode import nnet
    nnet.embedding(inputs["table"], inputs["ids"], out=outputs["out"])


EMBEDDING = Workload(
    name="embedding",
    params=(Param("out", "T*", OUT), Param("table", "const T*", IN), Param("ids", "const int*", IN),
            Param("count", "long long"), Param("V", "int"), Param("D", "int")),
    make_inputs=_inputs,
    output_shapes=lambda p: {"out": (tuple(p["ids_shape"]) + (p["D"],), p["dtype"])},
    reference=lambda p, ins: {"out": ins["table"][ins["ids"]]},
    problem_of=_problem,
    flops=lambda p: 0.0,
    bytes_moved=lambda p: float(2 * p["count"] * p["D"] * np.dtype(p["dtype"]).itemsize + 4 * p["count"]),
    check_problems=tuple({"V": v, "D": d, "ids_shape": shape, "count": int(np.prod(shape)), "dtype": dtype}
                         for dtype, cases in (("float32", CHECK_CASES), ("float64", CHECK_CASES_F64))
                         for v, d, shape in cases),
    # A word-embedding lookup: 50k vocabulary, 512 wide, 64 sequences of 128 tokens.
    bench_problems=({"V": 50000, "D": 512, "ids_shape": (128, 64), "count": 128 * 64, "dtype": "float32"},),
    describe=lambda p: f"V={p['V']} D={p['D']} ids {'x'.join(map(str, p['ids_shape']))} {p['dtype']}",
    host=_host,
    tolerance=lambda p: (0.0, 0.0),
)

for suffix, dtype in (("", "float32"), ("_f64", "float64")):
    register(KernelSpec(
        name=f"embedding_gather{suffix}", workload=EMBEDDING, source="nnet.cu", entry=f"embedding_gather{suffix}",
        geometry=lambda p, c, props: rows_by_cols_launch(p["count"], p["D"], c), tunables=TILE_2D_TUNABLES,
        restrictions=TILE_2D_RULES, dtypes=(dtype,),
        summary=f"out[r] = table[ids[r]], {dtype}: threads along D, ids grid-stride"))


# Gradient check cases, (V, D, ids shape), on top of the lookup's: V = 1 (every id the same
# row), prime D below and above a warp, more than 32 ids (several ballots of the owned-rows
# kernel) and V larger than its 64 rows per block, and rows no id touches (they must keep
# their initial values: dtable starts random, not zero).
GRAD_CASES = CHECK_CASES + ((1, 37, (50,)), (200, 31, (257,)), (131, 97, (40, 9)), (500, 3, (20,)))
GRAD_CASES_F64 = CHECK_CASES_F64 + ((1, 37, (50,)), (200, 31, (257,)))


def _grad_problem(arrays, scalars):
    dout, ids, dtable = (np.asarray(arrays[n]) for n in ("dout", "ids", "dtable"))
    dtype = matrix_dtype("embedding_grad", "dtable", dtable)
    require_same_dtype("embedding_grad", {"dout": dout, "dtable": dtable})
    _checked_ids("embedding_grad", ids, dtable.shape[0], "dtable")
    if dout.shape != ids.shape + (dtable.shape[1],):
        raise ShapeError(f"embedding_grad: dout has shape {dout.shape}, expected ids.shape + (D,) = "
                         f"{ids.shape + (dtable.shape[1],)} (ids {ids.shape}, dtable {dtable.shape})")
    return {"count": ids.size, "V": dtable.shape[0], "D": dtable.shape[1], "ids_shape": ids.shape, "dtype": dtype}


def _grad_inputs(p, rng):
    return {"dout": random_array(tuple(p["ids_shape"]) + (p["D"],), p["dtype"], rng),
            "ids": rng.integers(0, p["V"], p["ids_shape"]).astype(np.int32),
            "dtable": random_array((p["V"], p["D"]), p["dtype"], rng)}


def _scatter_add(dtable, ids, dout):
    """dtable[ids[r]] += dout[r] in place, repeated ids adding up in the order of r."""
    np.add.at(dtable, ids.reshape(-1), dout.reshape(-1, dtable.shape[1]))


def _grad_reference(p, ins):
    exact = ins["dtable"].astype(np.float64)
    _scatter_add(exact, ins["ids"], ins["dout"].astype(np.float64))
    return {"dtable": exact.astype(p["dtype"])}


def _grad_numpy(p, ins):
    dtable = ins["dtable"].copy()
    _scatter_add(dtable, ins["ids"], ins["dout"])
    return {"dtable": dtable}


def _grad_bytes(p):
    # dout and ids read once; each table row some id touches read and written once.
    rows_touched = min(p["V"], p["count"])
    return float((p["count"] + 2 * rows_touched) * p["D"] * np.dtype(p["dtype"]).itemsize + 4 * p["count"])


EMBEDDING_GRAD = Workload(
    name="embedding_grad",
    params=(Param("dtable", "T*", INOUT), Param("dout", "const T*", IN), Param("ids", "const int*", IN),
            Param("count", "long long"), Param("V", "int"), Param("D", "int")),
    make_inputs=_grad_inputs,
    output_shapes=lambda p: {"dtable": ((p["V"], p["D"]), p["dtype"])},
    reference=_grad_reference,
    numpy=_grad_numpy,
    problem_of=_grad_problem,
    flops=lambda p: float(p["count"] * p["D"]),
    bytes_moved=_grad_bytes,
    check_problems=tuple({"V": v, "D": d, "ids_shape": shape, "count": int(np.prod(shape)), "dtype": dtype}
                         for dtype, cases in (("float32", GRAD_CASES), ("float64", GRAD_CASES_F64))
                         for v, d, shape in cases),
    bench_problems=EMBEDDING.bench_problems,
    describe=EMBEDDING.describe,
    host=lambda p, ins, outs: _scatter_add(outs["dtable"], ins["ids"], ins["dout"]),
    # Atomics add repeated ids in any order; one element sums at most count + 1 values.
    tolerance=lambda p: sum_tolerance(p["dtype"], p["count"] + 1),
)

OWNED_ROWS_TUNABLES = (Tunable("BLOCK_X", (32, 64, 128, 256), 64),
                       Tunable("ROWS_PER_BLOCK", (1, 4, 16, 64, 256, 1024), 64))
OWNED_ROWS_RULES = (f"BLOCK_X % 32 == 0 and BLOCK_X <= {MAX_THREADS}",)


def _owned_rows_launch(p, config, props):
    """Blocks of BLOCK_X columns by ROWS_PER_BLOCK table rows; row ranges past the grid's y
    limit are walked grid-stride by the kernel."""
    row_blocks = min(cdiv(max(p["V"], 1), config["ROWS_PER_BLOCK"]), MAX_GRID_Y)
    return launch((max(1, cdiv(p["D"], config["BLOCK_X"])), row_blocks), config["BLOCK_X"])


for suffix, dtype in (("", "float32"), ("_f64", "float64")):
    register(KernelSpec(
        name=f"embedding_scatter_atomic{suffix}", workload=EMBEDDING_GRAD, source="embedding_grad.cu",
        entry=f"embedding_scatter_atomic{suffix}",
        geometry=lambda p, c, props: rows_by_cols_launch(p["count"], p["D"], c), tunables=TILE_2D_TUNABLES,
        restrictions=TILE_2D_RULES, dtypes=(dtype,),
        summary=f"dtable[ids[r]] += dout[r], {dtype}: atomicAdd, threads along D, ids grid-stride"))
    register(KernelSpec(
        name=f"embedding_scatter_owned{suffix}", workload=EMBEDDING_GRAD, source="embedding_grad.cu",
        entry=f"embedding_scatter_owned{suffix}", geometry=_owned_rows_launch, tunables=OWNED_ROWS_TUNABLES,
        restrictions=OWNED_ROWS_RULES, dtypes=(dtype,),
        summary=f"dtable[ids[r]] += dout[r], {dtype}, deterministic: a block owns table rows, ballots over ids"))
