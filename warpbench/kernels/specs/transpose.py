"""The transpose study: naive, shared-memory coalesced, and padded (bank-conflict free)."""
from __future__ import annotations

import numpy as np

from warpbench.kernels.registry import register
from warpbench.kernels.spec import (
    IN,
    OUT,
    KernelSpec,
    Param,
    Restriction,
    Tunable,
    Workload,
    cdiv,
    launch,
)
from warpbench.kernels.specs.common import random_array, require_dtype, require_ndim
from warpbench.kernels.specs.geometry import MAX_THREADS, STATIC_SHARED_BYTES

SHAPES = ((1, 1), (1, 97), (97, 1), (7, 13), (31, 33), (32, 32), (33, 65), (63, 129), (100, 37),
          (257, 255))


def _problem(arrays, scalars):
    a = np.asarray(arrays["in"])
    require_ndim("transpose", "in", a, 2, "a matrix")
    require_dtype("transpose", "in", a, ("float32",))
    return {"rows": a.shape[0], "cols": a.shape[1], "dtype": "float32"}


def _host(problem, inputs, outputs):
    from warpbench.hostcode import transpose
    transpose.transpose(inputs["in"], out=outputs["out"])


TRANSPOSE = Workload(
    name="transpose",
    params=(Param("out", "float*", OUT), Param("in", "const float*", IN), Param("rows", "int"),
            Param("cols", "int")),
    make_inputs=lambda p, rng: {"in": random_array((p["rows"], p["cols"]), "float32", rng)},
    output_shapes=lambda p: {"out": ((p["cols"], p["rows"]), "float32")},
    reference=lambda p, ins: {"out": np.ascontiguousarray(ins["in"].T)},
    problem_of=_problem,
    flops=lambda p: 0.0,
    bytes_moved=lambda p: 8.0 * p["rows"] * p["cols"],
    check_problems=tuple({"rows": r, "cols": c, "dtype": "float32"} for r, c in SHAPES),
    bench_problems=({"rows": 8192, "cols": 8192, "dtype": "float32"},),
    describe=lambda p: f"{p['rows']}x{p['cols']}",
    host=_host,
    tolerance=lambda p: (0.0, 0.0),
)

TUNABLES = (Tunable("TILE_DIM", (16, 32, 64), 32), Tunable("BLOCK_ROWS", (4, 8, 16, 32), 8))


# transpose.cu is compiled whole, so every variant's TILE_DIM must fit the padded tile of
# transpose_padded, the largest static shared array in the file.
RULES = (
    Restriction("BLOCK_ROWS <= TILE_DIM", "each thread copies TILE_DIM / BLOCK_ROWS rows of the tile"),
    Restriction(f"TILE_DIM * BLOCK_ROWS <= {MAX_THREADS}", "threads per block"),
    Restriction(f"TILE_DIM * (TILE_DIM + 1) * 4 <= {STATIC_SHARED_BYTES}",
                "the padded float tile in static shared memory"),
)


def _geometry(problem, config, props):
    tile = config["TILE_DIM"]
    return launch((cdiv(problem["cols"], tile), cdiv(problem["rows"], tile)), (tile, config["BLOCK_ROWS"]))


VARIANTS = (
    ("transpose_naive", "reads coalesced, writes strided by rows"),
    ("transpose_coalesced", "shared-memory tile: both sides coalesced, 32-way bank conflicts"),
    ("transpose_padded", "tile with one extra column: coalesced and conflict free"),
)

for name, summary in VARIANTS:
    register(KernelSpec(name=name, workload=TRANSPOSE, source="transpose.cu", entry=name,
                        geometry=_geometry, tunables=TUNABLES, restrictions=RULES, summary=summary))
