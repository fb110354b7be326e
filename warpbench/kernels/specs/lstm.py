"""LSTM forward: the fused cell, the fused recurrent step, and sequence pipelines (one and two directions).

Gate order i, f, g, o; x (T, B, I), W (I, 4H), U (H, 4H), b (4H,); c' = f*c + i*g, h' = o*tanh(c').
A sequence pipeline runs one GEMM for every input projection (into a buffer pre-filled with the
bias), then per step either a recurrent GEMM accumulating into that step's gates and the fused
cell (two launches), or the fused step kernel (one launch).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import (
    IN,
    OUT,
    KernelSpec,
    Param,
    PipelineSpec,
    Restriction,
    Tunable,
    Workload,
    cdiv,
    launch,
)
from warpbench.kernels.specs.common import (
    random_array,
    require_dtype,
    require_ndim,
    sum_tolerance,
    tolerance,
)
from warpbench.kernels.specs.gemm import GEMM_STAGE, gemm_problem
from warpbench.kernels.specs.geometry import BLOCK_RULES, BLOCK_TUNABLE, flat_geometry


def _dims(shape) -> str:
    return "x".join(str(d) for d in shape)


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def cell_reference(gates: np.ndarray, c_prev: np.ndarray, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """(h, c) in ``dtype`` from pre-activations (B, 4H) and the previous cell state (B, H)."""
    i, f, g, o = np.split(gates.astype(dtype, copy=False), 4, axis=1)
    c = _sigmoid(f) * c_prev.astype(dtype, copy=False) + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c), c


def sequence_reference(x, W, U, b, h0, c0, reverse=False, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """(hs (T, B, H), c_T) in ``dtype``; the reverse direction stores its step-t output at t."""
    x, W, U, b = (a.astype(dtype, copy=False) for a in (x, W, U, b))
    h, c = h0.astype(dtype, copy=False), c0.astype(dtype, copy=False)
    hs = np.empty(x.shape[:2] + (U.shape[0],), dtype)
    for t in (reversed(range(x.shape[0])) if reverse else range(x.shape[0])):
        h, c = cell_reference(x[t] @ W + h @ U + b, c, dtype)
        hs[t] = h
    return hs, c


def _check_shapes(op: str, expected: dict, arrays: dict, context: str) -> None:
    for name, shape in expected.items():
        require_dtype(op, name, np.asarray(arrays[name]), ("float32",))
        got = np.shape(arrays[name])
        if got != shape:
            raise ShapeError(f"{op}: {name} is {_dims(got)}, expected {_dims(shape)} ({context})")


def _weights(p, rng, suffix=""):
    """W, U, b in PyTorch's LSTM initialisation range, U(-1/sqrt(H), 1/sqrt(H))."""
    bound = 1.0 / np.sqrt(p["H"])
    return {f"W{suffix}": random_array((p["I"], 4 * p["H"]), "float32", rng, -bound, bound),
            f"U{suffix}": random_array((p["H"], 4 * p["H"]), "float32", rng, -bound, bound),
            f"b{suffix}": random_array((4 * p["H"],), "float32", rng, -bound, bound)}


# ---------------------------------------------------------------------------------------------- cell

def _cell_problem(arrays, scalars):
    gates = np.asarray(arrays["gates"])
    require_ndim("lstm_cell", "gates", gates, 2, "a B x 4H matrix")
    B, four_h = gates.shape
    if four_h % 4:
        raise ShapeError(f"lstm_cell: gates is {B}x{four_h}, its width must be 4*H (a multiple of 4)")
    _check_shapes("lstm_cell", {"gates": (B, four_h), "c_prev": (B, four_h // 4)}, arrays,
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


# ---------------------------------------------------------------------------------- fused step

def _step_problem(arrays, scalars):
    U = np.asarray(arrays["U"])
    require_ndim("lstm_step", "U", U, 2, "an H x 4H matrix")
    H = U.shape[0]
    B = np.shape(arrays["h_prev"])[0] if np.ndim(arrays["h_prev"]) == 2 else 0
    _check_shapes("lstm_step", {"gates_x": (B, 4 * H), "h_prev": (B, H), "c_prev": (B, H), "U": (H, 4 * H)},
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
            "U": _weights({"I": 1, "H": H}, rng)["U"]}


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


def _step_shared_bytes(c) -> int:
    """Two buffers of the h and U tiles, and the partial sums of the KSPLIT groups."""
    return 2 * (4 * c["BT"] * (c["BK"] + 1) + 16 * c["BK"] * c["JT"]) + 16 * c["KSPLIT"] * c["BT"] * c["JT"]


STEP_RULES = (
    Restriction("TB <= BT (BT % TB == 0)", lambda c: c["BT"] % c["TB"] == 0),
    Restriction("KSPLIT <= BK (BK % KSPLIT == 0)", lambda c: c["BK"] % c["KSPLIT"] == 0),
    Restriction("JT * (BT/TB) * KSPLIT <= 1024 threads", lambda c: _step_threads(c) <= 1024),
    Restriction("2 x (h tile + U tile) + partial sums <= 48 KiB static shared memory",
                lambda c: _step_shared_bytes(c) <= 48 * 1024),
)


def _step_geometry(p, config, props):
    return launch((cdiv(p["H"], config["JT"]), cdiv(p["B"], config["BT"])), _step_threads(config))


register(KernelSpec(
    name="lstm_step", workload=LSTM_STEP, source="lstm.cu", entry="lstm_step",
    geometry=_step_geometry, tunables=STEP_TUNABLES, restrictions=STEP_RULES,
    summary="one launch per time step: h_prev . U on shared tiles (split-K in the block) + the fused cell"))


# ------------------------------------------------------------------- small pipeline stages

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
    _check_shapes("concat_columns", {"left": left.shape, "right": left.shape}, arrays, "the same shape as left")
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


# -------------------------------------------------------------------------- sequence pipelines

def _sequence_problem(op, arrays, suffixes, states):
    x = np.asarray(arrays["x"])
    require_ndim(op, "x", x, 3, "a T x B x I tensor")
    U = np.asarray(arrays[f"U{suffixes[0]}"])
    require_ndim(op, f"U{suffixes[0]}", U, 2, "an H x 4H matrix")
    (T, B, I), H = x.shape, U.shape[0]
    if min(T, B, I, H) < 1:
        raise ShapeError(f"{op}: x is {_dims(x.shape)} and U{suffixes[0]} {_dims(U.shape)}, every extent must be >= 1")
    expected = {"x": x.shape, **{name: (B, H) for name in states}}
    for s in suffixes:
        expected.update({f"W{s}": (I, 4 * H), f"U{s}": (H, 4 * H), f"b{s}": (4 * H,)})
    _check_shapes(op, expected, arrays, f"input size {I}, hidden size {H} from U{suffixes[0]}'s rows, batch {B}")
    return {"T": T, "B": B, "I": I, "H": H, "dtype": "float32"}


# The recurrent GEMM is (B x H) . (H x 4H) with a small batch: 32 x 32 tiles give 64 blocks at
# B = 32, H = 512 where the default 128 x 128 tiles would give 16 for 132 SMs.
RECURRENT_GEMM_CONFIG = {"BM": 32, "BN": 32, "BK": 32, "TM": 4, "TN": 4}


def _recurrent_gemm_step(ctx, p, gates, h_prev, c_prev, U, h_out, c_out, config):
    recurrent = gemm_problem(p["B"], 4 * p["H"], p["H"], beta=1.0)
    ctx.kernel(GEMM_STAGE, RECURRENT_GEMM_CONFIG).launch_problem(recurrent, {"C": gates, "A": h_prev, "B": U})
    ctx.kernel("lstm_cell").launch_problem(p, {"h_out": h_out, "c_out": c_out, "gates": gates, "c_prev": c_prev})


def _fused_step(ctx, p, gates, h_prev, c_prev, U, h_out, c_out, config):
    ctx.kernel("lstm_step", config).launch_problem(p, {"h_out": h_out, "c_out": c_out, "gates_x": gates,
                                                       "h_prev": h_prev, "c_prev": c_prev, "U": U})


def run_direction(ctx, p, step, config, x, W, U, b, h0, c0, hs, c_T, reverse=False, tag=""):
    """One LSTM direction: bias rows + one input-projection GEMM for all T, then ``step`` per time step.

    ``step`` launches gates[t] += h_prev . U and the cell, writing hs[t] and c_T (in place after the
    first step); the reverse direction walks t = T-1 .. 0. ``tag`` keeps the directions' scratch apart.
    """
    T, B, H = p["T"], p["B"], p["H"]
    gates = ctx.scratch(f"gates{tag}", (T, B, 4 * H), "float32")
    ctx.kernel("broadcast_rows").launch_problem({"rows": T * B, "cols": 4 * H}, {"out": gates, "b": b})
    ctx.kernel(GEMM_STAGE).launch_problem(gemm_problem(T * B, 4 * H, p["I"], beta=1.0),
                                          {"C": gates, "A": x, "B": W})
    h_prev, c_prev = h0, c0
    for t in (reversed(range(T)) if reverse else range(T)):
        step(ctx, p, gates[t], h_prev, c_prev, U, hs[t], c_T, config)
        h_prev, c_prev = hs[t], c_T


def _sequence_inputs(p, rng, suffixes, states):
    inputs = {"x": random_array((p["T"], p["B"], p["I"]), "float32", rng)}
    for s in suffixes:
        inputs.update(_weights(p, rng, s))
    inputs.update({name: random_array((p["B"], p["H"]), "float32", rng) for name in states})
    return inputs


def _sequence_bytes(p, directions: int) -> float:
    per_direction = 4 * p["H"] * (p["I"] + p["H"] + 1) + p["T"] * p["B"] * p["H"] + 3 * p["B"] * p["H"]
    return 4.0 * (p["T"] * p["B"] * p["I"] + directions * per_direction)


# T, B, I, H: ones, primes, B = 33 one past the fused step's 32-row block, H = 33 past its slices.
SEQUENCE_CHECKS = tuple({"T": t, "B": b, "I": i, "H": h, "dtype": "float32"}
                        for t, b, i, h in ((1, 1, 1, 1), (3, 2, 5, 4), (4, 3, 7, 9), (2, 5, 3, 33), (2, 33, 4, 6)))
# The rnn-benchmarks setting: hidden 512, batch 32, 30 steps, input = hidden.
SEQUENCE_BENCH = ({"T": 30, "B": 32, "I": 512, "H": 512, "dtype": "float32"},)


def _sequence_workload(name, outputs, output_shapes, suffixes, states, reference, host) -> Workload:
    """A workload over x (T, B, I), one (W, U, b) per direction suffix and the initial ``states``."""
    directions = len(suffixes)
    return Workload(
        name=name,
        params=(*(Param(n, "float*", OUT) for n in outputs), Param("x", "const float*", IN),
                *(Param(n + s, "const float*", IN) for s in suffixes for n in ("W", "U", "b")),
                *(Param(n, "const float*", IN) for n in states), *(Param(n, "int") for n in ("T", "B", "I", "H"))),
        make_inputs=lambda p, rng: _sequence_inputs(p, rng, suffixes, states),
        output_shapes=output_shapes,
        reference=reference,
        problem_of=lambda arrays, scalars: _sequence_problem(name, arrays, suffixes, states),
        flops=lambda p: directions * p["T"] * (8.0 * p["B"] * p["H"] * (p["I"] + p["H"]) + 20.0 * p["B"] * p["H"]),
        bytes_moved=lambda p: _sequence_bytes(p, directions),
        check_problems=SEQUENCE_CHECKS,
        bench_problems=SEQUENCE_BENCH,
        describe=lambda p: f"T={p['T']} B={p['B']} I={p['I']} H={p['H']}",
        host=host,
        tolerance=lambda p: sum_tolerance("float32", p["I"] + p["H"], magnitude=2.0),
        numpy=lambda p, ins: reference(p, ins, np.float32),
    )


def _forward_reference(p, ins, dtype=np.float64):
    hs, c = sequence_reference(*(ins[n] for n in ("x", "W", "U", "b", "h0", "c0")), dtype=dtype)
    return {"hs": hs.astype(np.float32), "c_T": c.astype(np.float32)}


def _forward_host(p, inputs, outputs):
    from warpbench.hostcode import lstm
    _, _, c_T = lstm.lstm_forward(*(inputs[n] for n in ("x", "W", "U", "b", "h0", "c0")), out=outputs["hs"])
    outputs["c_T"][...] = c_T


LSTM_FORWARD = _sequence_workload(
    "lstm_forward", ("hs", "c_T"),
    lambda p: {"hs": ((p["T"], p["B"], p["H"]), "float32"), "c_T": ((p["B"], p["H"]), "float32")},
    ("",), ("h0", "c0"), _forward_reference, _forward_host)

DIRECTIONS = (("_f", False), ("_b", True))


def _bidirectional_reference(p, ins, dtype=np.float64):
    zeros = np.zeros((p["B"], p["H"]), dtype)
    halves = [sequence_reference(ins["x"], *(ins[n + s] for n in ("W", "U", "b")), zeros, zeros, reverse,
                                 dtype)[0]
              for s, reverse in DIRECTIONS]
    return {"out": np.concatenate(halves, axis=2).astype(np.float32)}


def _bidirectional_host(p, inputs, outputs):
    from warpbench.hostcode import lstm
    fw, bw = (tuple(inputs[n + s] for n in ("W", "U", "b")) for s, _ in DIRECTIONS)
    lstm.bilstm_forward(inputs["x"], fw, bw, out=outputs["out"])


BILSTM_FORWARD = _sequence_workload(
    "bilstm_forward", ("out",), lambda p: {"out": ((p["T"], p["B"], 2 * p["H"]), "float32")},
    tuple(s for s, _ in DIRECTIONS), (), _bidirectional_reference, _bidirectional_host)


def _forward_run(step):
    def run(ctx, p, buffers, config):
        run_direction(ctx, p, step, config, *(buffers[n] for n in ("x", "W", "U", "b", "h0", "c0", "hs", "c_T")))
    return run


def _bidirectional_run(step):
    def run(ctx, p, buffers, config):
        T, B, H = p["T"], p["B"], p["H"]
        zeros = ctx.scratch("zero_state", (B, H), "float32")
        zeros.fill(np.float32(0))
        halves = []
        for s, reverse in DIRECTIONS:
            hs, c_T = ctx.scratch(f"hs{s}", (T, B, H), "float32"), ctx.scratch(f"c_T{s}", (B, H), "float32")
            run_direction(ctx, p, step, config, buffers["x"], *(buffers[n + s] for n in ("W", "U", "b")),
                          zeros, zeros, hs, c_T, reverse, s)
            halves.append(hs)
        ctx.kernel("concat_columns").launch_problem({"rows": T * B, "cols": H},
                                                    {"out": buffers["out"], "left": halves[0], "right": halves[1]})
    return run


STEP_KINDS = (
    ("gemm", _recurrent_gemm_step, (), (), ("lstm_cell",),
     "per step a recurrent GEMM into the step's gates, then the fused cell (2 launches)"),
    ("fused", _fused_step, STEP_TUNABLES, STEP_RULES, ("lstm_step",),
     "per step the fused lstm_step kernel (1 launch); tunables of lstm_step"),
)

for kind, step, tunables, rules, step_stages, how in STEP_KINDS:
    register(PipelineSpec(
        name=f"lstm_forward_{kind}", workload=LSTM_FORWARD, run=_forward_run(step),
        stages=("broadcast_rows", GEMM_STAGE, *step_stages), tunables=tunables, restrictions=rules,
        summary=f"bias rows + one input GEMM for all T; {how}"))
    register(PipelineSpec(
        name=f"bilstm_forward_{kind}", workload=BILSTM_FORWARD, run=_bidirectional_run(step),
        stages=("broadcast_rows", GEMM_STAGE, *step_stages, "concat_columns"), tunables=tunables,
        restrictions=rules, summary=f"both directions as lstm_forward_{kind}, then concat_columns"))
