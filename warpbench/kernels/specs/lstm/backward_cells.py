"""The elementwise kernels of LSTM backpropagation through time: the cell states recomputed
from the pre-activations, one step of the cell's backward, and the split of a bidirectional
gradient into its two directions."""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, INOUT, OUT, KernelSpec, Param, Workload
from warpbench.kernels.specs.common import random_array, require_ndim, tolerance
from warpbench.kernels.specs.geometry import BLOCK_RULES, BLOCK_TUNABLE, flat_geometry
from warpbench.kernels.specs.lstm.reference import cell_backward_reference, cell_states_reference, check_shapes

# B x H: ones, primes, one past a warp, and a row count past the default 256-thread block.
CELL_SHAPES = ((1, 1), (1, 7), (3, 5), (7, 33), (33, 9), (5, 257))


def _states_problem(arrays, scalars):
    gates = np.asarray(arrays["gates"])
    require_ndim("lstm_cell_states", "gates", gates, 3, "a T x B x 4H tensor")
    T, B, four_h = gates.shape
    if four_h % 4:
        raise ShapeError(f"lstm_cell_states: gates is {T}x{B}x{four_h}, its width must be 4*H (a multiple of 4)")
    check_shapes("lstm_cell_states", {"gates": gates.shape, "c0": (B, four_h // 4)}, arrays,
                 f"batch {B}, hidden size {four_h // 4}")
    return {"T": T, "B": B, "H": four_h // 4, "reverse": int(bool(scalars.get("reverse", 0))), "dtype": "float32"}


LSTM_CELL_STATES = Workload(
    name="lstm_cell_states",
    params=(Param("cs", "float*", OUT), Param("gates", "const float*", IN), Param("c0", "const float*", IN),
            Param("T", "int"), Param("B", "int"), Param("H", "int"), Param("reverse", "int")),
    make_inputs=lambda p, rng: {"gates": random_array((p["T"], p["B"], 4 * p["H"]), "float32", rng, -4.0, 4.0),
                                "c0": random_array((p["B"], p["H"]), "float32", rng)},
    output_shapes=lambda p: {"cs": ((p["T"], p["B"], p["H"]), "float32")},
    reference=lambda p, ins: {"cs": cell_states_reference(ins["gates"], ins["c0"], bool(p["reverse"]))
                              .astype(np.float32)},
    problem_of=_states_problem,
    flops=lambda p: 12.0 * p["T"] * p["B"] * p["H"],
    bytes_moved=lambda p: 4.0 * p["B"] * p["H"] * (3 * p["T"] + 1),
    check_problems=tuple({"T": t, "B": b, "H": h, "reverse": r, "dtype": "float32"}
                         for (b, h), t, r in zip(CELL_SHAPES, (1, 4, 3, 2, 5, 1), (0, 1, 0, 1, 1, 0))),
    bench_problems=({"T": 30, "B": 32, "H": 512, "reverse": 0, "dtype": "float32"},),
    describe=lambda p: f"T={p['T']} B={p['B']} H={p['H']}{' reverse' if p['reverse'] else ''}",
    tolerance=lambda p: tolerance("float32", scale=p["T"]),
)


def _backward_problem(arrays, scalars):
    gates = np.asarray(arrays["gates"])
    require_ndim("lstm_cell_backward", "gates", gates, 2, "a B x 4H matrix")
    B, four_h = gates.shape
    if four_h % 4:
        raise ShapeError(f"lstm_cell_backward: gates is {B}x{four_h}, its width must be 4*H (a multiple of 4)")
    H = four_h // 4
    check_shapes("lstm_cell_backward", {"gates": (B, four_h), **{n: (B, H) for n in ("c_prev", "c", "dh", "dc")}},
                 arrays, f"batch {B}, hidden size {H}")
    return {"B": B, "H": H, "dtype": "float32"}


def _backward_outputs(p, ins):
    dgates, dc = cell_backward_reference(ins["gates"], ins["c_prev"], ins["c"], ins["dh"], ins["dc"])
    return {"dgates": dgates.astype(np.float32), "dc": dc.astype(np.float32)}


LSTM_CELL_BACKWARD = Workload(
    name="lstm_cell_backward",
    params=(Param("dgates", "float*", OUT), Param("dc", "float*", INOUT), Param("gates", "const float*", IN),
            Param("c_prev", "const float*", IN), Param("c", "const float*", IN), Param("dh", "const float*", IN),
            Param("B", "int"), Param("H", "int")),
    make_inputs=lambda p, rng: {"gates": random_array((p["B"], 4 * p["H"]), "float32", rng, -4.0, 4.0),
                                **{n: random_array((p["B"], p["H"]), "float32", rng)
                                   for n in ("c_prev", "c", "dh", "dc")}},
    output_shapes=lambda p: {"dgates": ((p["B"], 4 * p["H"]), "float32"), "dc": ((p["B"], p["H"]), "float32")},
    reference=_backward_outputs,
    problem_of=_backward_problem,
    flops=lambda p: 40.0 * p["B"] * p["H"],
    bytes_moved=lambda p: 4.0 * p["B"] * p["H"] * (4 + 4 + 5 + 1),
    check_problems=tuple({"B": b, "H": h, "dtype": "float32"} for b, h in CELL_SHAPES),
    bench_problems=({"B": 32, "H": 512, "dtype": "float32"}, {"B": 128, "H": 1024, "dtype": "float32"}),
    describe=lambda p: f"B={p['B']} H={p['H']}",
    tolerance=lambda p: tolerance("float32"),
)


def _split_problem(arrays, scalars):
    whole = np.asarray(arrays["in"])
    require_ndim("split_columns", "in", whole, 2, "a matrix")
    if whole.shape[1] % 2:
        raise ShapeError(f"split_columns: in is {whole.shape[0]}x{whole.shape[1]}, its width must be even")
    check_shapes("split_columns", {"in": whole.shape}, arrays, "two halves of equal width")
    return {"rows": whole.shape[0], "cols": whole.shape[1] // 2, "dtype": "float32"}


SPLIT_COLUMNS = Workload(
    name="split_columns",
    params=(Param("left", "float*", OUT), Param("right", "float*", OUT), Param("in", "const float*", IN),
            Param("rows", "int"), Param("cols", "int")),
    make_inputs=lambda p, rng: {"in": random_array((p["rows"], 2 * p["cols"]), "float32", rng)},
    output_shapes=lambda p: {n: ((p["rows"], p["cols"]), "float32") for n in ("left", "right")},
    reference=lambda p, ins: dict(zip(("left", "right"), (a.copy() for a in np.split(ins["in"], 2, axis=1)))),
    problem_of=_split_problem,
    flops=lambda p: 0.0,
    bytes_moved=lambda p: 16.0 * p["rows"] * p["cols"],
    check_problems=tuple({"rows": r, "cols": c, "dtype": "float32"} for r, c in ((1, 1), (3, 7), (10, 33))),
    bench_problems=({"rows": 30 * 32, "cols": 512, "dtype": "float32"},),
    describe=lambda p: f"{p['rows']}x{2 * p['cols']} into 2 halves",
    tolerance=lambda p: (0.0, 0.0),
)

register(KernelSpec(
    name="lstm_cell_states", workload=LSTM_CELL_STATES, source="lstm_backward.cu", entry="lstm_cell_states",
    geometry=flat_geometry(lambda p: p["B"] * p["H"]), tunables=(BLOCK_TUNABLE,), restrictions=BLOCK_RULES,
    summary="the cell states of a whole sequence from its pre-activations, thread per (b, j) looping over t"))

register(KernelSpec(
    name="lstm_cell_backward", workload=LSTM_CELL_BACKWARD, source="lstm_backward.cu", entry="lstm_cell_backward",
    geometry=flat_geometry(lambda p: p["B"] * p["H"]), tunables=(BLOCK_TUNABLE,), restrictions=BLOCK_RULES,
    summary="one step of the cell backward: gate pre-activation gradients and dc into c_prev, thread per (b, j)"))

register(KernelSpec(
    name="split_columns", workload=SPLIT_COLUMNS, source="lstm_backward.cu", entry="split_columns",
    geometry=flat_geometry(lambda p: 2 * p["rows"] * p["cols"]), tunables=(BLOCK_TUNABLE,),
    restrictions=BLOCK_RULES, summary="[left | right] = in along columns: the adjoint of concat_columns"))
