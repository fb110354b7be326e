"""LSTM sequence pipelines, one and two directions.

A pipeline runs one GEMM for every input projection (into a buffer pre-filled with the bias),
then per step either a recurrent GEMM accumulating into that step's gates and the fused cell
(two launches), or the fused step kernel (one launch).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, Param, PipelineSpec, Workload
from warpbench.kernels.specs.common import random_array, require_ndim, sum_tolerance
from warpbench.kernels.specs.gemm import GEMM_STAGE, gemm_problem
from warpbench.kernels.specs.lstm.cell import STEP_RULES, STEP_TUNABLES
from warpbench.kernels.specs.lstm.reference import check_shapes, dims, lstm_weights, sequence_reference


def _sequence_problem(op, arrays, suffixes, states):
    x = np.asarray(arrays["x"])
    require_ndim(op, "x", x, 3, "a T x B x I tensor")
    U = np.asarray(arrays[f"U{suffixes[0]}"])
    require_ndim(op, f"U{suffixes[0]}", U, 2, "an H x 4H matrix")
    (T, B, I), H = x.shape, U.shape[0]
    if min(T, B, I, H) < 1:
        raise ShapeError(f"{op}: x is {dims(x.shape)} and U{suffixes[0]} {dims(U.shape)}, every extent must be >= 1")
    expected = {"x": x.shape, **{name: (B, H) for name in states}}
    for s in suffixes:
        expected.update({f"W{s}": (I, 4 * H), f"U{s}": (H, 4 * H), f"b{s}": (4 * H,)})
    check_shapes(op, expected, arrays, f"input size {I}, hidden size {H} from U{suffixes[0]}'s rows, batch {B}")
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
        inputs.update(lstm_weights(p, rng, s))
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
