"""LSTM backpropagation through time as pipelines, one and two directions.

From the forward outputs hs, the pipeline recomputes every step's pre-activations with two
GEMMs over the whole sequence (x . W on top of the bias rows, then [h0; hs shifted] . U,
possible because every previous h is known) and the cell states with one launch; then per
step, last to first, the cell backward and one GEMM carrying dh into the previous step;
finally the weight, bias and input gradients as three GEMMs over all steps (db as ones . dgates).
"""
from __future__ import annotations

import numpy as np

from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, Param, PipelineSpec, Workload
from warpbench.kernels.specs.common import random_array, sum_tolerance
from warpbench.kernels.specs.gemm import GEMM_STAGE, gemm_problem
from warpbench.kernels.specs.lstm import backward_cells  # noqa: F401 (registers the stages)
from warpbench.kernels.specs.lstm.reference import backward_reference, check_shapes, lstm_weights, sequence_reference
from warpbench.kernels.specs.lstm.sequence import DIRECTIONS, SEQUENCE_BENCH, SEQUENCE_CHECKS, _sequence_problem

GRADIENTS = ("dW", "dU", "db")


def _problem(op, arrays, suffixes, states, sequences):
    """The forward pipelines' problem, plus the (T, B, H per direction) forward outputs and their gradients."""
    p = _sequence_problem(op, arrays, suffixes, states)
    width = len(suffixes) * p["H"]
    check_shapes(op, {n: (p["T"], p["B"], width) for n in sequences}, arrays,
                 f"{len(suffixes)} direction(s) of hidden size {p['H']}, batch {p['B']}")
    return p


def _shifted(ctx, key, first, sequence, reverse):
    """(T, B, H) whose step-k row is the state before step k: ``first`` at the direction's first
    step, then ``sequence`` one step behind."""
    T = sequence.shape[0]
    out = ctx.scratch(key, sequence.shape, "float32")
    head = T - 1 if reverse else 0
    ctx.device.copy_device_to_device(out[head], first)
    if T > 1:
        if reverse:
            ctx.device.copy_device_to_device(out[:T - 1], sequence[1:])
        else:
            ctx.device.copy_device_to_device(out[1:], sequence[:T - 1])
    return out


def backward_direction(ctx, p, x, W, U, b, h0, c0, hs, dhs, dc_T, grads, dx, dh0, dc0, reverse=False, dx_beta=0.0,
                       tag=""):
    """One direction's gradients: ``grads`` maps dW, dU, db to output buffers; dx is written
    (``dx_beta`` = 1 adds to it), dh0 and dc0 receive the initial states' gradients."""
    T, B, I, H = p["T"], p["B"], p["I"], p["H"]
    rows = T * B
    gates = ctx.scratch(f"gates{tag}", (T, B, 4 * H), "float32")
    ctx.kernel("broadcast_rows").launch_problem({"rows": rows, "cols": 4 * H}, {"out": gates, "b": b})
    ctx.kernel(GEMM_STAGE).launch_problem(gemm_problem(rows, 4 * H, I, beta=1.0), {"C": gates, "A": x, "B": W})
    h_prev = _shifted(ctx, f"h_prev{tag}", h0, hs, reverse)
    ctx.kernel(GEMM_STAGE).launch_problem(gemm_problem(rows, 4 * H, H, beta=1.0), {"C": gates, "A": h_prev, "B": U})
    cs = ctx.scratch(f"cs{tag}", (T, B, H), "float32")
    ctx.kernel("lstm_cell_states").launch_problem({"T": T, "B": B, "H": H, "reverse": int(reverse)},
                                                  {"cs": cs, "gates": gates, "c0": c0})
    c_prev = _shifted(ctx, f"c_prev{tag}", c0, cs, reverse)
    dh = ctx.scratch(f"dh{tag}", (T, B, H), "float32")
    ctx.device.copy_device_to_device(dh, dhs)
    dc = ctx.scratch(f"dc{tag}", (B, H), "float32")
    ctx.device.copy_device_to_device(dc, dc_T)
    dgates = ctx.scratch(f"dgates{tag}", (T, B, 4 * H), "float32")
    times = list(reversed(range(T))) if reverse else list(range(T))
    carry = gemm_problem(B, H, 4 * H, trans_b=1, beta=1.0)
    for k in reversed(range(T)):
        t = times[k]
        ctx.kernel("lstm_cell_backward").launch_problem(
            {"B": B, "H": H}, {"dgates": dgates[t], "dc": dc, "gates": gates[t], "c_prev": c_prev[t], "c": cs[t],
                               "dh": dh[t]})
        target, problem = (dh[times[k - 1]], carry) if k else (dh0, gemm_problem(B, H, 4 * H, trans_b=1))
        ctx.kernel(GEMM_STAGE).launch_problem(problem, {"C": target, "A": dgates[t], "B": U})
    ctx.device.copy_device_to_device(dc0, dc)
    ctx.kernel(GEMM_STAGE).launch_problem(gemm_problem(rows, I, 4 * H, trans_b=1, beta=dx_beta),
                                          {"C": dx, "A": dgates, "B": W})
    ctx.kernel(GEMM_STAGE).launch_problem(gemm_problem(I, 4 * H, rows, trans_a=1),
                                          {"C": grads["dW"], "A": x, "B": dgates})
    ctx.kernel(GEMM_STAGE).launch_problem(gemm_problem(H, 4 * H, rows, trans_a=1),
                                          {"C": grads["dU"], "A": h_prev, "B": dgates})
    ones = ctx.scratch("ones", (rows,), "float32")
    ones.fill(np.float32(1))
    ctx.kernel(GEMM_STAGE).launch_problem(gemm_problem(1, 4 * H, rows), {"C": grads["db"], "A": ones, "B": dgates})


def _backward_inputs(p, rng):
    inputs = {"x": random_array((p["T"], p["B"], p["I"]), "float32", rng), **lstm_weights(p, rng)}
    inputs.update({n: random_array((p["B"], p["H"]), "float32", rng) for n in ("h0", "c0", "dc_T")})
    hs, _ = sequence_reference(*(inputs[n] for n in ("x", "W", "U", "b", "h0", "c0")))
    inputs["hs"] = hs.astype(np.float32)
    inputs["dhs"] = random_array(hs.shape, "float32", rng)
    return inputs


BACKWARD_NAMES = ("dx", "dW", "dU", "db", "dh0", "dc0")


def _backward_shapes(p):
    T, B, I, H = p["T"], p["B"], p["I"], p["H"]
    return dict(zip(BACKWARD_NAMES, (((T, B, I), "float32"), ((I, 4 * H), "float32"), ((H, 4 * H), "float32"),
                                     ((4 * H,), "float32"), ((B, H), "float32"), ((B, H), "float32"))))


def _backward_reference(p, ins, dtype=np.float64):
    found = backward_reference(*(ins[n] for n in ("x", "W", "U", "b", "h0", "c0", "hs", "dhs", "dc_T")), dtype=dtype)
    return {n: v.astype(np.float32) for n, v in zip(BACKWARD_NAMES, found)}


def _flops(p, directions):
    T, B, I, H = p["T"], p["B"], p["I"], p["H"]
    # Recomputed gates (2 GEMMs), dh carry, dx, dW, dU, db, and the elementwise cell passes.
    return directions * T * B * H * (8.0 * (I + H) + 8.0 * H + 16.0 * I + 8.0 * H + 8.0 + 52.0)


def _bytes(p, directions):
    T, B, I, H = p["T"], p["B"], p["I"], p["H"]
    weights = 2 * 4 * H * (I + H + 1)  # read, and their gradients written
    sequences = T * B * (2 * I + 3 * H + directions * 4 * H * 3)
    return 4.0 * (directions * weights + sequences)


def _tolerance(p):
    return sum_tolerance("float32", p["T"] * p["B"] + p["I"] + p["H"], magnitude=2.0)


LSTM_BACKWARD = Workload(
    name="lstm_backward",
    params=(*(Param(n, "float*", OUT) for n in BACKWARD_NAMES),
            *(Param(n, "const float*", IN) for n in ("x", "W", "U", "b", "h0", "c0", "hs", "dhs", "dc_T")),
            *(Param(n, "int") for n in ("T", "B", "I", "H"))),
    make_inputs=_backward_inputs,
    output_shapes=_backward_shapes,
    reference=_backward_reference,
    problem_of=lambda arrays, scalars: _problem("lstm_backward", arrays, ("",), ("h0", "c0", "dc_T"), ("hs", "dhs")),
    flops=lambda p: _flops(p, 1),
    bytes_moved=lambda p: _bytes(p, 1),
    check_problems=SEQUENCE_CHECKS,
    bench_problems=SEQUENCE_BENCH,
    describe=lambda p: f"T={p['T']} B={p['B']} I={p['I']} H={p['H']}",
    tolerance=_tolerance,
)


def _run_backward(ctx, p, buffers, config):
    backward_direction(ctx, p, *(buffers[n] for n in ("x", "W", "U", "b", "h0", "c0", "hs", "dhs", "dc_T")),
                       {n: buffers[n] for n in GRADIENTS}, buffers["dx"], buffers["dh0"], buffers["dc0"])


BI_NAMES = ("dx",) + tuple(n + s for s, _ in DIRECTIONS for n in GRADIENTS)


def _bi_inputs(p, rng):
    from warpbench.kernels.specs.lstm.sequence import BILSTM_FORWARD
    inputs = BILSTM_FORWARD.make_inputs(p, rng)
    inputs["out"] = BILSTM_FORWARD.reference(p, inputs)["out"]
    inputs["dout"] = random_array(inputs["out"].shape, "float32", rng)
    return inputs


def _bi_reference(p, ins, dtype=np.float64):
    zeros = np.zeros((p["B"], p["H"]), np.float32)
    found = {"dx": np.zeros(ins["x"].shape, dtype)}
    for (s, reverse), hs, dhs in zip(DIRECTIONS, np.split(ins["out"], 2, axis=2), np.split(ins["dout"], 2, axis=2)):
        dx, *grads, _, _ = backward_reference(ins["x"], *(ins[n + s] for n in ("W", "U", "b")), zeros, zeros, hs, dhs,
                                              zeros, reverse, dtype)
        found["dx"] += dx
        found.update({n + s: g for n, g in zip(GRADIENTS, grads)})
    return {n: v.astype(np.float32) for n, v in found.items()}


def _bi_shapes(p):
    single = _backward_shapes(p)
    return {"dx": single["dx"], **{n + s: single[n] for s, _ in DIRECTIONS for n in GRADIENTS}}


BILSTM_BACKWARD = Workload(
    name="bilstm_backward",
    params=(*(Param(n, "float*", OUT) for n in BI_NAMES), Param("x", "const float*", IN),
            *(Param(n + s, "const float*", IN) for s, _ in DIRECTIONS for n in ("W", "U", "b")),
            Param("out", "const float*", IN), Param("dout", "const float*", IN),
            *(Param(n, "int") for n in ("T", "B", "I", "H"))),
    make_inputs=_bi_inputs,
    output_shapes=_bi_shapes,
    reference=_bi_reference,
    problem_of=lambda arrays, scalars: _problem("bilstm_backward", arrays, tuple(s for s, _ in DIRECTIONS), (),
                                                ("out", "dout")),
    flops=lambda p: _flops(p, 2),
    bytes_moved=lambda p: _bytes(p, 2),
    check_problems=SEQUENCE_CHECKS,
    bench_problems=SEQUENCE_BENCH,
    describe=lambda p: f"T={p['T']} B={p['B']} I={p['I']} H={p['H']}",
    tolerance=_tolerance,
)


def _run_bidirectional_backward(ctx, p, buffers, config):
    T, B, H = p["T"], p["B"], p["H"]
    zeros = ctx.scratch("zero_state", (B, H), "float32")
    zeros.fill(np.float32(0))
    halves = {}
    for name in ("out", "dout"):
        left, right = (ctx.scratch(f"{name}{s}", (T, B, H), "float32") for s, _ in DIRECTIONS)
        ctx.kernel("split_columns").launch_problem({"rows": T * B, "cols": H},
                                                   {"left": left, "right": right, "in": buffers[name]})
        halves[name] = (left, right)
    for k, (s, reverse) in enumerate(DIRECTIONS):
        dh0, dc0 = (ctx.scratch(f"{n}{s}", (B, H), "float32") for n in ("dh0", "dc0"))
        backward_direction(ctx, p, buffers["x"], *(buffers[n + s] for n in ("W", "U", "b")), zeros, zeros,
                           halves["out"][k], halves["dout"][k], zeros, {n: buffers[n + s] for n in GRADIENTS},
                           buffers["dx"], dh0, dc0, reverse, dx_beta=float(k), tag=s)


register(PipelineSpec(
    name="lstm_backward", workload=LSTM_BACKWARD, run=_run_backward,
    stages=("broadcast_rows", GEMM_STAGE, "lstm_cell_states", "lstm_cell_backward"),
    summary="recomputed gates (2 GEMMs) and cell states, per step cell backward + dh GEMM, then dx/dW/dU/db GEMMs"))

register(PipelineSpec(
    name="bilstm_backward", workload=BILSTM_BACKWARD, run=_run_bidirectional_backward,
    stages=("split_columns", "broadcast_rows", GEMM_STAGE, "lstm_cell_states", "lstm_cell_backward"),
    summary="split_columns, then lstm_backward per direction (the reverse one walking t = 0 .. T-1)"))
