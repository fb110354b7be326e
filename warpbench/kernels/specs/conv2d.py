"""conv2d forward, NCHW, with an optional fused bias + ReLU epilogue: direct, im2col + GEMM, implicit GEMM.

Problems are dicts with the cuDNN names: N, C, H, W (input), K, R, S (filters), P, Q (output),
stride_h/stride_w, pad_h/pad_w, dil_h/dil_w, and the epilogue flags ``bias`` and ``relu``.
Build them with :func:`conv_problem`, which derives P and Q and rejects empty outputs.
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
from warpbench.kernels.specs.geometry import (
    BLOCK_RULES,
    BLOCK_TUNABLE,
    MAX_GRID_Y,
    MAX_THREADS,
    STATIC_SHARED_BYTES,
    flat_geometry,
)

GEOMETRY_KEYS = ("N", "C", "H", "W", "K", "R", "S", "P", "Q", "stride_h", "stride_w", "pad_h", "pad_w",
                 "dil_h", "dil_w")


def _pair(op: str, name: str, value, minimum: int) -> tuple[int, int]:
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or any(int(v) != v or v < minimum for v in pair):
        raise ShapeError(f"{op}: {name} must be an int or an (h, w) pair of ints >= {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def conv_problem(N, C, H, W, K, R, S, stride=1, padding=0, dilation=1, bias=True, relu=False,
                 op: str = "conv2d") -> dict:
    """A conv2d problem dict with P and Q derived; ShapeError when the output would be empty.

    ``stride``, ``padding`` and ``dilation`` are ints or (h, w) pairs.
    """
    (sh, sw), (ph, pw), (dh, dw) = (_pair(op, "stride", stride, 1), _pair(op, "padding", padding, 0),
                                    _pair(op, "dilation", dilation, 1))
    for name, extent in (("N", N), ("C", C), ("H", H), ("W", W), ("K", K), ("R", R), ("S", S)):
        if extent < 1:
            raise ShapeError(f"{op}: {name} = {extent}, every extent must be at least 1")
    P = (H + 2 * ph - dh * (R - 1) - 1) // sh + 1
    Q = (W + 2 * pw - dw * (S - 1) - 1) // sw + 1
    if P < 1 or Q < 1:
        raise ShapeError(f"{op}: {R}x{S} kernel (dilation {dh}x{dw}) is larger than the {H}x{W} input "
                         f"padded by {ph}x{pw} (output would be {P}x{Q})")
    return {"N": N, "C": C, "H": H, "W": W, "K": K, "R": R, "S": S, "P": P, "Q": Q, "stride_h": sh,
            "stride_w": sw, "pad_h": ph, "pad_w": pw, "dil_h": dh, "dil_w": dw, "bias": bool(bias),
            "relu": bool(relu), "dtype": "float32"}


def _window(p) -> str:
    return f"s{p['stride_h']},{p['stride_w']} p{p['pad_h']},{p['pad_w']} d{p['dil_h']},{p['dil_w']}"


def _epilogue_flags(p) -> str:
    return (" +bias" if p["bias"] else "") + (" relu" if p["relu"] else "")


def describe(p) -> str:
    """``2x3x7x5 * 4x3x3x3 s1,1 p1,1 d1,1 +bias relu``."""
    return (f"{p['N']}x{p['C']}x{p['H']}x{p['W']} * {p['K']}x{p['C']}x{p['R']}x{p['S']} "
            f"{_window(p)}{_epilogue_flags(p)}")


def filter_taps(x: np.ndarray, p, dtype=np.float64):
    """(r, s, tap) per filter tap: tap (N, C, P, Q) in ``dtype`` is the zero-padded input under it."""
    padded = np.pad(x.astype(dtype, copy=False), ((0, 0), (0, 0), (p["pad_h"],) * 2, (p["pad_w"],) * 2))
    for r in range(p["R"]):
        h0 = r * p["dil_h"]
        for s in range(p["S"]):
            w0 = s * p["dil_w"]
            yield r, s, padded[:, :, h0: h0 + p["stride_h"] * (p["P"] - 1) + 1: p["stride_h"],
                               w0: w0 + p["stride_w"] * (p["Q"] - 1) + 1: p["stride_w"]]


def epilogue(acc: np.ndarray, b: np.ndarray, p) -> np.ndarray:
    """Bias (on axis 1) and ReLU as the flags say, in ``acc``'s dtype; float32 result."""
    if p["bias"]:
        acc = acc + b.astype(acc.dtype).reshape((1, -1) + (1,) * (acc.ndim - 2))
    if p["relu"]:
        acc = np.maximum(acc, 0.0)
    return acc.astype(np.float32, copy=False)


def _compute(p, ins, dtype):
    """The convolution as one tensordot per filter tap, accumulated in ``dtype``."""
    w = ins["w"].astype(dtype, copy=False)
    acc = np.zeros((p["K"], p["N"], p["P"], p["Q"]), dtype)
    for r, s, tap in filter_taps(ins["x"], p, dtype):
        acc += np.tensordot(w[:, :, r, s], tap, axes=(1, 1))
    return {"out": epilogue(acc.transpose(1, 0, 2, 3), ins["b"], p)}


def _reference(p, ins):
    return _compute(p, ins, np.float64)


def _problem(arrays, scalars):
    x, w, b = (np.asarray(arrays[n]) for n in ("x", "w", "b"))
    require_ndim("conv2d", "x", x, 4, "an N x C x H x W tensor")
    require_ndim("conv2d", "w", w, 4, "a K x C x R x S tensor")
    require_ndim("conv2d", "b", b, 1, "a vector of K biases")
    for name, array in (("x", x), ("w", w), ("b", b)):
        require_dtype("conv2d", name, array, ("float32",))
    N, C, H, W = x.shape
    K, Cw, R, S = w.shape
    if Cw != C:
        raise ShapeError(f"conv2d: x is {N}x{C}x{H}x{W} but w is {K}x{Cw}x{R}x{S} (channels {C} != {Cw})")
    if b.shape[0] != K:
        raise ShapeError(f"conv2d: b has {b.shape[0]} elements but w has {K} filters")
    return conv_problem(N, C, H, W, K, R, S, scalars.get("stride", 1), scalars.get("padding", 0),
                        scalars.get("dilation", 1), scalars.get("bias", True), scalars.get("relu", False))


def _host(problem, inputs, outputs):
    from warpbench.hostcode import conv
    p = problem
    conv.conv2d(inputs["x"], inputs["w"], bias=inputs["b"] if p["bias"] else None,
                stride=(p["stride_h"], p["stride_w"]), padding=(p["pad_h"], p["pad_w"]),
                dilation=(p["dil_h"], p["dil_w"]), relu=p["relu"], out=outputs["out"])


def _make_inputs(p, rng):
    return {"x": random_array((p["N"], p["C"], p["H"], p["W"]), "float32", rng),
            "w": random_array((p["K"], p["C"], p["R"], p["S"]), "float32", rng),
            "b": random_array((p["K"],), "float32", rng)}


# Awkward shapes: 1s, primes, non-square, stride/padding/dilation mixes, output sizes one past the
# tiles (K = 65 and N*P*Q = 129 against 64 x 128 implicit-GEMM tiles, Q = 17 against TILE_Q = 16),
# and every (bias, relu) combination.
CHECK_SHAPES = (
    ((1, 1, 1, 1, 1, 1, 1), {}),
    ((2, 3, 7, 5, 4, 3, 3), {"padding": 1, "bias": False}),
    ((1, 2, 11, 13, 3, 5, 3), {"stride": (2, 3), "padding": (2, 1), "dilation": (1, 2), "relu": True}),
    ((3, 4, 10, 9, 7, 3, 2), {"stride": 2, "padding": (1, 0), "dilation": 2, "bias": False, "relu": True}),
    ((2, 1, 12, 12, 5, 5, 5), {"relu": True}),
    ((1, 5, 9, 17, 17, 3, 3), {"padding": 1}),
    ((2, 8, 9, 9, 6, 1, 1), {"stride": 2}),
    ((1, 3, 5, 45, 65, 3, 3), {"relu": True}),
    ((1, 2, 3, 3, 2, 3, 3), {"padding": 2, "dilation": 2}),
)

CONV2D = Workload(
    name="conv2d",
    params=(Param("out", "float*", OUT), Param("x", "const float*", IN), Param("w", "const float*", IN),
            Param("b", "const float*", IN), *(Param(k, "int") for k in GEOMETRY_KEYS), Param("bias", "int"),
            Param("relu", "int")),
    make_inputs=_make_inputs,
    output_shapes=lambda p: {"out": ((p["N"], p["K"], p["P"], p["Q"]), "float32")},
    reference=_reference,
    numpy=lambda p, ins: _compute(p, ins, np.float32),
    problem_of=_problem,
    flops=lambda p: 2.0 * p["N"] * p["K"] * p["P"] * p["Q"] * p["C"] * p["R"] * p["S"],
    bytes_moved=lambda p: 4.0 * (p["N"] * p["C"] * p["H"] * p["W"] + p["K"] * p["C"] * p["R"] * p["S"]
                                 + p["K"] + p["N"] * p["K"] * p["P"] * p["Q"]),
    check_problems=tuple(conv_problem(*shape, **options) for shape, options in CHECK_SHAPES),
    # LeNet's two layers and a ResNet 3x3 64->64 layer, batch 64, bias + ReLU fused.
    bench_problems=(conv_problem(64, 1, 28, 28, 20, 5, 5, relu=True),
                    conv_problem(64, 20, 12, 12, 50, 5, 5, relu=True),
                    conv_problem(64, 64, 56, 56, 64, 3, 3, padding=1, relu=True)),
    describe=describe,
    host=_host,
    tolerance=lambda p: sum_tolerance("float32", p["C"] * p["R"] * p["S"], magnitude=2.0),
)

_output_elements = flat_geometry(lambda p: p["N"] * p["K"] * p["P"] * p["Q"])


def _tiled_shared_bytes(p, config) -> int:
    patch_h = (config["TILE_P"] - 1) * p["stride_h"] + (p["R"] - 1) * p["dil_h"] + 1
    patch_w = (config["TILE_Q"] - 1) * p["stride_w"] + (p["S"] - 1) * p["dil_w"] + 1
    return 4 * config["C_TILE"] * (patch_h * patch_w + config["K_TILE"] * p["R"] * p["S"])


def _tiled_geometry(p, config, props):
    tiles = cdiv(p["P"], config["TILE_P"]) * cdiv(p["Q"], config["TILE_Q"])
    return launch((tiles, cdiv(p["K"], config["K_TILE"]), p["N"]), (config["TILE_Q"], config["TILE_P"]),
                  _tiled_shared_bytes(p, config))


def _gemm_threads(c) -> int:
    return (c["BM"] // c["TM"]) * (c["BN"] // c["TN"])


def _implicit_gemm_geometry(p, config, props):
    return launch((cdiv(p["N"] * p["P"] * p["Q"], config["BN"]), cdiv(p["K"], config["BM"])),
                  _gemm_threads(config))


register(KernelSpec(
    name="conv2d_direct", workload=CONV2D, source="conv2d.cu", entry="conv2d_direct",
    geometry=_output_elements, tunables=(BLOCK_TUNABLE,), restrictions=BLOCK_RULES,
    summary="one thread per output element, input and weights straight from global memory"))

register(KernelSpec(
    name="conv2d_direct_tiled", workload=CONV2D, source="conv2d.cu", entry="conv2d_direct_tiled",
    geometry=_tiled_geometry,
    tunables=(Tunable("TILE_P", (4, 8, 16, 32), 8), Tunable("TILE_Q", (8, 16, 32), 16),
              Tunable("K_TILE", (1, 2, 4, 8, 16), 8), Tunable("C_TILE", (1, 2, 4, 8), 4)),
    restrictions=(Restriction(f"TILE_P * TILE_Q <= {MAX_THREADS}", "threads per block"),),
    summary="output tile per block, input patch + weights of C_TILE channels in shared memory"))

register(KernelSpec(
    name="conv2d_implicit_gemm", workload=CONV2D, source="conv2d.cu", entry="conv2d_implicit_gemm",
    geometry=_implicit_gemm_geometry,
    tunables=(Tunable("BM", (16, 32, 64, 128), 64), Tunable("BN", (32, 64, 128, 256), 128),
              Tunable("BK", (8, 16, 32), 8), Tunable("TM", (2, 4, 8), 8), Tunable("TN", (2, 4, 8), 8)),
    restrictions=(
        Restriction("TM <= BM and TN <= BN"),
        Restriction(f"(BM // TM) * (BN // TN) <= {MAX_THREADS}", "threads per block"),
        Restriction("(BM // TM) * (BN // TN) % BN == 0", "B loader: one fixed column per thread"),
        Restriction("(BM // TM) * (BN // TN) % BK == 0", "A loader: one fixed k per thread"),
        # A_STRIDE of conv2d.cu: the A tile's rows padded so that the stores of a load step hit 32 banks.
        Restriction(f"2 * 4 * BK * (BM + (32 // BK - BM % 32 + 32) % 32 + BN) <= {STATIC_SHARED_BYTES}",
                    "double-buffered padded A tile and B tile in static shared memory"),
    ),
    summary="implicit GEMM (K x NPQ x CRS): 2-D register tiles, B tile gathered from x, double-buffered"))


def _gemm_stage_config(rows: int) -> dict:
    """sgemm_blocktile_2d tiles for the K x NPQ GEMM: BM shrinks to the rows (filters) so that
    LeNet's 20 or 50 and ResNet's 64 filters do not leave most of a 128-row tile idle."""
    bm = 32 if rows <= 32 else 64 if rows <= 64 else 128
    return {"BM": bm, "BN": 128, "BK": 8, "TM": 4 if bm == 32 else 8, "TN": 8}


def _im2col_gemm_run(ctx, p, buffers, config):
    rows, columns = p["C"] * p["R"] * p["S"], p["N"] * p["P"] * p["Q"]
    col = ctx.scratch("col", (rows, columns), "float32")
    gemm_out = ctx.scratch("gemm_out", (p["K"], columns), "float32")
    ctx.kernel("conv2d_im2col").launch_problem(p, {"col": col, "x": buffers["x"]})
    gemm = ctx.kernel(GEMM_STAGE, _gemm_stage_config(p["K"]))
    gemm.launch_problem(gemm_problem(p["K"], columns, rows), {"C": gemm_out, "A": buffers["w"], "B": col})
    ctx.kernel("conv2d_gemm_to_nchw").launch_problem(p, {"out": buffers["out"], "gemm_out": gemm_out,
                                                          "b": buffers["b"]})


register(PipelineSpec(
    name="conv2d_im2col_gemm", workload=CONV2D, run=_im2col_gemm_run,
    stages=("conv2d_im2col", GEMM_STAGE, "conv2d_gemm_to_nchw"),
    summary="im2col to a (CRS x NPQ) buffer, GEMM w . col, then bias/ReLU scatter to NCHW"))


# The pipeline's own stages, registered so that ctx.kernel() can launch them and checks cover them.

def _im2col_reference(p, ins):
    col = np.empty((p["C"], p["R"], p["S"], p["N"], p["P"], p["Q"]), np.float32)
    for r, s, tap in filter_taps(ins["x"], p):
        col[:, r, s] = tap.transpose(1, 0, 2, 3)
    return {"col": col.reshape(p["C"] * p["R"] * p["S"], p["N"] * p["P"] * p["Q"])}


def _im2col_problem(arrays, scalars):
    x = np.asarray(arrays["x"])
    require_ndim("im2col", "x", x, 4, "an N x C x H x W tensor")
    require_dtype("im2col", "x", x, ("float32",))
    if "kernel" not in scalars:
        raise ShapeError("im2col: pass kernel=(R, S), the filter size")
    R, S = _pair("im2col", "kernel", scalars["kernel"], 1)
    return conv_problem(*x.shape, 1, R, S, scalars.get("stride", 1), scalars.get("padding", 0),
                        scalars.get("dilation", 1), op="im2col")


def _im2col_host(p, inputs, outputs):
    from warpbench.hostcode import conv
    by_image = outputs["col"].reshape(p["C"] * p["R"] * p["S"], p["N"], p["P"] * p["Q"])
    for n in range(p["N"]):
        by_image[:, n, :] = conv.im2col(inputs["x"][n], (p["R"], p["S"]), stride=(p["stride_h"], p["stride_w"]),
                                        padding=(p["pad_h"], p["pad_w"]), dilation=(p["dil_h"], p["dil_w"]))


IM2COL = Workload(
    name="im2col",
    params=(Param("col", "float*", OUT), Param("x", "const float*", IN),
            *(Param(k, "int") for k in GEOMETRY_KEYS if k != "K")),
    make_inputs=lambda p, rng: {"x": _make_inputs(p, rng)["x"]},
    output_shapes=lambda p: {"col": ((p["C"] * p["R"] * p["S"], p["N"] * p["P"] * p["Q"]), "float32")},
    reference=_im2col_reference,
    problem_of=_im2col_problem,
    flops=lambda p: 0.0,
    bytes_moved=lambda p: 4.0 * (p["N"] * p["C"] * p["H"] * p["W"]
                                 + p["C"] * p["R"] * p["S"] * p["N"] * p["P"] * p["Q"]),
    check_problems=CONV2D.check_problems,
    bench_problems=CONV2D.bench_problems[-1:],
    describe=lambda p: f"{p['N']}x{p['C']}x{p['H']}x{p['W']} {p['R']}x{p['S']} {_window(p)}",
    host=_im2col_host,
    tolerance=lambda p: (0.0, 0.0),
)


def _to_nchw_reference(p, ins):
    acc = ins["gemm_out"].astype(np.float64).reshape(p["K"], p["N"], p["P"], p["Q"]).transpose(1, 0, 2, 3)
    return {"out": epilogue(acc, ins["b"], p)}


def _to_nchw_problem(arrays, scalars):
    gemm_out, b = np.asarray(arrays["gemm_out"]), np.asarray(arrays["b"])
    require_ndim("conv2d_gemm_to_nchw", "gemm_out", gemm_out, 2, "a K x (N*P*Q) matrix")
    require_ndim("conv2d_gemm_to_nchw", "b", b, 1, "a vector of K biases")
    for name, array in (("gemm_out", gemm_out), ("b", b)):
        require_dtype("conv2d_gemm_to_nchw", name, array, ("float32",))
    K, columns = gemm_out.shape
    N, P, Q = (int(scalars.get(k, 0)) for k in ("N", "P", "Q"))
    if N * P * Q != columns or b.shape[0] != K:
        raise ShapeError(f"conv2d_gemm_to_nchw: gemm_out is {K}x{columns} and b has {b.shape[0]} elements, "
                         f"expected {K}x{N * P * Q} (N*P*Q for N={N}, P={P}, Q={Q}) and {K}")
    return {"N": N, "K": K, "P": P, "Q": Q, "bias": bool(scalars.get("bias", True)),
            "relu": bool(scalars.get("relu", False)), "dtype": "float32"}


def _to_nchw_host(p, inputs, outputs):
    from warpbench.hostcode import elementwise
    out = outputs["out"]
    out[...] = inputs["gemm_out"].reshape(p["K"], p["N"], p["P"], p["Q"]).transpose(1, 0, 2, 3)
    if p["bias"] or p["relu"]:
        bias = inputs["b"] if p["bias"] else np.zeros_like(inputs["b"])
        elementwise.bias_act_nchw(out, bias, "relu" if p["relu"] else "none", out=out)


TO_NCHW_KEYS = ("N", "K", "P", "Q", "bias", "relu", "dtype")

TO_NCHW = Workload(
    name="conv2d_gemm_to_nchw",
    params=(Param("out", "float*", OUT), Param("gemm_out", "const float*", IN), Param("b", "const float*", IN),
            *(Param(k, "int") for k in TO_NCHW_KEYS[:-1])),
    make_inputs=lambda p, rng: {"gemm_out": random_array((p["K"], p["N"] * p["P"] * p["Q"]), "float32", rng),
                                "b": random_array((p["K"],), "float32", rng)},
    output_shapes=lambda p: {"out": ((p["N"], p["K"], p["P"], p["Q"]), "float32")},
    reference=_to_nchw_reference,
    problem_of=_to_nchw_problem,
    flops=lambda p: 2.0 * p["N"] * p["K"] * p["P"] * p["Q"],
    bytes_moved=lambda p: 8.0 * p["N"] * p["K"] * p["P"] * p["Q"] + 4.0 * p["K"],
    check_problems=tuple({k: p[k] for k in TO_NCHW_KEYS} for p in CONV2D.check_problems),
    bench_problems=tuple({k: p[k] for k in TO_NCHW_KEYS} for p in CONV2D.bench_problems[-1:]),
    describe=lambda p: (f"{p['K']}x{p['N'] * p['P'] * p['Q']} -> {p['N']}x{p['K']}x{p['P']}x{p['Q']}"
                        f"{_epilogue_flags(p)}"),
    host=_to_nchw_host,
    tolerance=lambda p: tolerance("float32"),
)


def _im2col_geometry(p, config, props):
    return launch((cdiv(p["N"] * p["P"] * p["Q"], config["BLOCK"]), min(p["C"], MAX_GRID_Y)), config["BLOCK"])


register(KernelSpec(
    name="conv2d_im2col", workload=IM2COL, source="conv2d.cu", entry="conv2d_im2col",
    geometry=_im2col_geometry, tunables=(BLOCK_TUNABLE,), restrictions=BLOCK_RULES,
    summary="im2col of the whole batch: thread per (output pixel, channel), coalesced writes"))

register(KernelSpec(
    name="conv2d_gemm_to_nchw", workload=TO_NCHW, source="conv2d.cu", entry="conv2d_gemm_to_nchw",
    geometry=_output_elements, tunables=(BLOCK_TUNABLE,), restrictions=BLOCK_RULES,
    summary="K x NPQ GEMM result to NCHW with the bias/ReLU epilogue"))
