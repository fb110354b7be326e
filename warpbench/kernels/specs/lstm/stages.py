"""The sequence pipelines' small stages: bias rows for the input-projection GEMM to accumulate
into, and the column concatenation of the two directions' outputs."""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Workload
from warpbench.kernels.specs.common import random_array, require_dtype, require_ndim
from warpbench.kernels.specs.geometry import BLOCK_RULES, BLOCK_TUNABLE, flat_geometry
from warpbench.kernels.specs.lstm.reference import check_shapes


def _broadcast_problem(arrays, scalars):
    b = np.asarray(arrays["b"])
    require_ndim("broadcast_rows", "b", b, 1, "a vector")
    require_dtype("broadcast_rows", "b", b, ("float32",))
    rows = int(scalars.get("rows", 0))
    if rows < 1:
        raise ShapeError(f"broadcast_rows: pass rows >= 1, got rows={rows}")
    return {"rows": rows, "cols": b.shape[0], "dtype": "float32"}


BROADCAST_ROWS = Workload(
    name="broadcast_rows",
    params=(Param("out", "float*", OUT), Param("b", "const float*", IN), Param("rows", "int"), Param("cols", "int")),
    make_inputs=lambda p, rng: {"b": random_array((p["cols"],), "float32", rng)},
    output_shapes=lambda p: {"out": ((p["rows"], p["cols"]), "float32")},
    reference=lambda p, ins: {"out": np.broadcast_to(ins["b"], (p["rows"], p["cols"])).copy()},
    problem_of=_broadcast_problem,
    flops=lambda p: 0.0,
    bytes_moved=lambda p: 4.0 * (p["rows"] * p["cols"] + p["cols"]),
    check_problems=tuple({"rows": r, "cols": c, "dtype": "float32"} for r, c in ((1, 1), (3, 7), (5, 33), (17, 4))),
    bench_problems=({"rows": 30 * 32, "cols": 4 * 512, "dtype": "float32"},),
    describe=lambda p: f"{p['rows']}x{p['cols']}",
    host=lambda p, inputs, outputs: np.copyto(outputs["out"], inputs["b"]),
    tolerance=lambda p: (0.0, 0.0),
)


def _concat_problem(arrays, scalars):
    left = np.asarray(arrays["left"])
    require_ndim("concat_columns", "left", left, 2, "a matrix")
    check_shapes("concat_columns", {"left": left.shape, "right": left.shape}, arrays, "the same shape as left")
    return {"rows": left.shape[0], "cols": left.shape[1], "dtype": "float32"}


CONCAT_COLUMNS = Workload(
    name="concat_columns",
    params=(Param("out", "float*", OUT), Param("left", "const float*", IN), Param("right", "const float*", IN),
            Param("rows", "int"), Param("cols", "int")),
    make_inputs=lambda p, rng: {n: random_array((p["rows"], p["cols"]), "float32", rng) for n in ("left", "right")},
    output_shapes=lambda p: {"out": ((p["rows"], 2 * p["cols"]), "float32")},
    reference=lambda p, ins: {"out": np.concatenate([ins["left"], ins["right"]], axis=1)},
    problem_of=_concat_problem,
    flops=lambda p: 0.0,
    bytes_moved=lambda p: 16.0 * p["rows"] * p["cols"],
    check_problems=tuple({"rows": r, "cols": c, "dtype": "float32"} for r, c in ((1, 1), (3, 7), (10, 33))),
    bench_problems=({"rows": 30 * 32, "cols": 512, "dtype": "float32"},),
    describe=lambda p: f"2 x {p['rows']}x{p['cols']}",
    host=lambda p, inputs, outputs: np.concatenate([inputs["left"], inputs["right"]], axis=1, out=outputs["out"]),
    tolerance=lambda p: (0.0, 0.0),
)

register(KernelSpec(
    name="broadcast_rows", workload=BROADCAST_ROWS, source="lstm.cu", entry="broadcast_rows",
    geometry=flat_geometry(lambda p: p["rows"] * p["cols"]), tunables=(BLOCK_TUNABLE,), restrictions=BLOCK_RULES,
    summary="out[r, :] = b: the bias rows the input-projection GEMM accumulates into"))

register(KernelSpec(
    name="concat_columns", workload=CONCAT_COLUMNS, source="lstm.cu", entry="concat_columns",
    geometry=flat_geometry(lambda p: 2 * p["rows"] * p["cols"]), tunables=(BLOCK_TUNABLE,),
    restrictions=BLOCK_RULES, summary="[left | right] along columns: the bidirectional output"))
