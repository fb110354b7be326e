"""The LSTM cell kernels: the fused cell (gate nonlinearities + state update) and the fused
recurrent step (h_prev . U on shared tiles, then the cell) in one launch."""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Restriction, Tunable, Workload, cdiv, launch
from warpbench.kernels.specs.common import random_array, require_ndim, sum_tolerance, tolerance
from warpbench.kernels.specs.geometry import (
    BLOCK_RULES,
    BLOCK_TUNABLE,
    MAX_THREADS,
    STATIC_SHARED_BYTES,
    flat_geometry,
)
from warpbench.kernels.specs.lstm.reference import cell_reference, check_shapes, lstm_weights


def _cell_problem(arrays, scalars):
    gates = np.asarray(arrays["gates"])
    require_ndim("lstm_cell", "gates", gates, 2, "a B x 4H matrix")
    B, four_h = gates.shape
    if four_h % 4:
        raise ShapeError(f"lstm_cell: gates is {B}x{four_h}, its width must be 4*H (a multiple of 4)")
    check_shapes("lstm_cell", {"gates": (B, four_h), "c_prev": (B, four_h // 4)}, arrays,
                  f"batch {B}, hidden size {four_h // 4}")
    return {"B": B, "H": four_h // 4, "dtype": "float32"}


def _cell_host(p, inputs, outputs):
    from warpbench.hostcode import lstm
    lstm.lstm_cell(inputs["gates"], inputs["c_prev"], h_out=outputs["h_out"], c_out=outputs["c_out"])


def _state_outputs(p):
    return {"h_out": ((p["B"], p["H"]), "float32"), "c_out": ((p["B"], p["H"]), "float32")}


def _as_outputs(h, c):
    return {"h_out": h.astype(np.float32), "c_out": c.astype(np.float32)}


LSTM_CELL = Workload(
    name="lstm_cell",
    params=(Param("h_out", "float*", OUT), Param("c_out", "float*", OUT), Param("gates", "const float*", IN),
            Param("c_prev", "const float*", IN), Param("B", "int"), Param("H", "int")),
    # Pre-activations in [-4, 4] reach both saturated and linear parts of the nonlinearities.
    make_inputs=lambda p, rng: {"gates": random_array((p["B"], 4 * p["H"]), "float32", rng, -4.0, 4.0),
                                "c_prev": random_array((p["B"], p["H"]), "float32", rng)},
    output_shapes=_state_outputs,
    reference=lambda p, ins: _as_outputs(*cell_reference(ins["gates"], ins["c_prev"])),
    problem_of=_cell_problem,
    flops=lambda p: 20.0 * p["B"] * p["H"],
    bytes_moved=lambda p: 4.0 * p["B"] * p["H"] * (4 + 1 + 2),
    check_problems=tuple({"B": b, "H": h, "dtype": "float32"}
                         for b, h in ((1, 1), (1, 7), (3, 5), (7, 33), (32, 31), (5, 257))),
    bench_problems=({"B": 32, "H": 512, "dtype": "float32"}, {"B": 128, "H": 1024, "dtype": "float32"}),
    describe=lambda p: f"B={p['B']} H={p['H']}",
    host=_cell_host,
    tolerance=lambda p: tolerance("float32"),
)

register(KernelSpec(
    name="lstm_cell", workload=LSTM_CELL, source="lstm.cu", entry="lstm_cell",
    geometry=flat_geometry(lambda p: p["B"] * p["H"]), tunables=(BLOCK_TUNABLE,), restrictions=BLOCK_RULES,
    summary="fused gate nonlinearities + cell and hidden update, thread per (b, j)"))


def _step_problem(arrays, scalars):
    U = np.asarray(arrays["U"])
    require_ndim("lstm_step", "U", U, 2, "an H x 4H matrix")
    H = U.shape[0]
    B = np.shape(arrays["h_prev"])[0] if np.ndim(arrays["h_prev"]) == 2 else 0
    check_shapes("lstm_step", {"gates_x": (B, 4 * H), "h_prev": (B, H), "c_prev": (B, H), "U": (H, 4 * H)},
                  arrays, f"batch {B}, hidden size {H} from U's rows")
    return {"B": B, "H": H, "dtype": "float32"}


def _step_host(p, inputs, outputs):
    from warpbench.hostcode import blas, lstm
    gates = blas.gemm(inputs["h_prev"], inputs["U"], C=inputs["gates_x"].copy(), beta=1.0)
    lstm.lstm_cell(gates, inputs["c_prev"], h_out=outputs["h_out"], c_out=outputs["c_out"])


def _step_reference(p, ins):
    gates = ins["gates_x"].astype(np.float64) + ins["h_prev"].astype(np.float64) @ ins["U"].astype(np.float64)
    return _as_outputs(*cell_reference(gates, ins["c_prev"]))


def _step_inputs(p, rng):
    B, H = p["B"], p["H"]
    return {"gates_x": random_array((B, 4 * H), "float32", rng, -2.0, 2.0),
            "h_prev": random_array((B, H), "float32", rng), "c_prev": random_array((B, H), "float32", rng),
            "U": lstm_weights({"I": 1, "H": H}, rng)["U"]}


LSTM_STEP = Workload(
    name="lstm_step",
    params=(Param("h_out", "float*", OUT), Param("c_out", "float*", OUT), Param("gates_x", "const float*", IN),
            Param("h_prev", "const float*", IN), Param("c_prev", "const float*", IN), Param("U", "const float*", IN),
            Param("B", "int"), Param("H", "int")),
    make_inputs=_step_inputs,
    output_shapes=_state_outputs,
    reference=_step_reference,
    problem_of=_step_problem,
    flops=lambda p: 8.0 * p["B"] * p["H"] * p["H"] + 20.0 * p["B"] * p["H"],
    bytes_moved=lambda p: 4.0 * (4 * p["H"] * p["H"] + p["B"] * p["H"] * (4 + 2 + 2)),
    # B = 33 and H = 65 are one past the default 32-row block and 32-deep slices; H = 5 and 33 break JT.
    check_problems=tuple({"B": b, "H": h, "dtype": "float32"}
                         for b, h in ((1, 1), (3, 5), (5, 33), (33, 17), (2, 65), (7, 100))),
    bench_problems=({"B": 32, "H": 512, "dtype": "float32"},),
    describe=lambda p: f"B={p['B']} H={p['H']}",
    host=_step_host,
    tolerance=lambda p: sum_tolerance("float32", p["H"], magnitude=2.0),
)

STEP_TUNABLES = (Tunable("JT", (1, 2, 4, 8, 16, 32), 4), Tunable("BT", (1, 2, 4, 8, 16, 32, 64), 32),
                 Tunable("TB", (1, 2, 4, 8), 4), Tunable("KSPLIT", (1, 2, 4, 8, 16, 32), 8),
                 Tunable("BK", (8, 16, 32, 64), 32))


def _step_threads(c) -> int:
    return c["JT"] * (c["BT"] // c["TB"]) * c["KSPLIT"]


STEP_RULES = (
    Restriction("BT % TB == 0", "TB rows of each thread tile the block's BT rows"),
    Restriction("BK % KSPLIT == 0", "the KSPLIT groups split a BK-deep slice evenly"),
    Restriction(f"JT * (BT // TB) * KSPLIT <= {MAX_THREADS}", "threads per block"),
    Restriction(f"2 * (4 * BT * (BK + 1) + 16 * BK * JT) + 16 * KSPLIT * BT * JT <= {STATIC_SHARED_BYTES}",
                "double-buffered h and U tiles plus the KSPLIT groups' partial sums in static shared memory"),
)


def _step_geometry(p, config, props):
    return launch((cdiv(p["H"], config["JT"]), cdiv(p["B"], config["BT"])), _step_threads(config))


register(KernelSpec(
    name="lstm_step", workload=LSTM_STEP, source="lstm.cu", entry="lstm_step",
    geometry=_step_geometry, tunables=STEP_TUNABLES, restrictions=STEP_RULES,
    summary="one launch per time step: h_prev . U on shared tiles (split-K in the block) + the fused cell"))
