"""Embedding lookup (``nnet.cu``): out[..., :] = table[ids[...], :] for a table (V, D) and
int32 ids of any shape; out has shape ids.shape + (D,).

Ids are validated here, on the host: a kernel cannot raise, so one that meets an id outside
[0, V) anyway writes a row of zeros rather than reading out of bounds.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Workload
from warpbench.kernels.specs.common import matrix_dtype, random_array
from warpbench.kernels.specs.geometry import (
    TILE_2D_RULES,
    TILE_2D_TUNABLES,
    rows_by_cols_launch,
)

# (V, D, ids shape): a single row, D of 1, a warp plus one, vectors not a multiple of the
# block, 2-D ids (time x batch, as the char-LSTM feeds them) and repeated ids (V < count).
CHECK_CASES = ((1, 1, (1,)), (50, 16, (7,)), (97, 33, (5, 13)), (7, 300, (3, 11)), (1000, 64, (30, 4)),
               (3, 5, (2, 3, 4)))
CHECK_CASES_F64 = ((1, 1, (1,)), (97, 33, (5, 13)))


def _problem(arrays, scalars):
    table, ids = np.asarray(arrays["table"]), np.asarray(arrays["ids"])
    dtype = matrix_dtype("embedding", "table", table)
    if ids.dtype != np.int32:
        raise DTypeError(f"embedding: ids has dtype {ids.dtype}, the kernel reads int32")
    vocabulary = table.shape[0]
    bad = np.flatnonzero((ids < 0) | (ids >= vocabulary))
    if bad.size:
        where = np.unravel_index(bad[0], ids.shape)
        raise ShapeError(f"embedding: ids[{', '.join(map(str, where))}] = {ids.flat[bad[0]]} out of range "
                         f"[0, {vocabulary}) (table has {vocabulary} rows)")
    return {"count": ids.size, "V": vocabulary, "D": table.shape[1], "ids_shape": ids.shape, "dtype": dtype}


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
