"""Pooling with any window (``pool_window.cu``): kh x kw windows, strides (sh, sw), padding
(ph, pw), and Theano's partial last windows; max and average (padding excluded), forward and
backward, float32 and float64. The graph's ``pool_2d`` and its gradients compute with these.

The NumPy functions here are the references of the kernels and the graph ops' ``perform``.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Workload
from warpbench.kernels.specs.common import (int_pair, random_array, require_dtype, require_ndim, require_same_dtype,
                                            tolerance)
from warpbench.kernels.specs.geometry import GRID_STRIDE_RULES, GRID_STRIDE_TUNABLES, grid_stride_geometry

KEYS = ("N", "C", "H", "W", "kh", "kw", "sh", "sw", "ph", "pw", "P", "Q")


def out_extent(size: int, window: int, stride: int, pad: int, ignore_border: bool) -> int:
    """How many windows fit along an axis of ``size`` (Theano's Pool.out_shape)."""
    if ignore_border:
        return (size + 2 * pad - window) // stride + 1
    if stride >= window:
        return (size - 1) // stride + 1
    return max(0, (size - 1 - window + stride) // stride) + 1


def window_problem(n, c, h, w, ws, stride, pad=(0, 0), ignore_border=True, dtype="float32", op="pool2d") -> dict:
    """The problem of pooling an (n, c, h, w) tensor; ShapeError when the window does not fit."""
    (kh, kw), (sh, sw), (ph, pw) = ws, stride, pad
    if ignore_border and (kh > h + 2 * ph or kw > w + 2 * pw):
        raise ShapeError(f"{op}: window {kh}x{kw} is larger than the input plane {h}x{w} padded by {ph}x{pw}")
    if min(n, c, h, w) < 1:
        raise ShapeError(f"{op}: input {n}x{c}x{h}x{w} is empty")
    return {"N": n, "C": c, "H": h, "W": w, "kh": kh, "kw": kw, "sh": sh, "sw": sw, "ph": ph, "pw": pw,
            "P": out_extent(h, kh, sh, ph, ignore_border), "Q": out_extent(w, kw, sw, pw, ignore_border),
            "dtype": dtype}


def windows(p: dict):
    """(i, j, rows, cols) for every output position: the slices of the plane window (i, j) covers."""
    for i in range(p["P"]):
        top = i * p["sh"] - p["ph"]
        rows = slice(max(top, 0), min(top + p["kh"], p["H"]))
        for j in range(p["Q"]):
            left = j * p["sw"] - p["pw"]
            yield i, j, rows, slice(max(left, 0), min(left + p["kw"], p["W"]))


def pool_reference(p: dict, x: np.ndarray, is_max: bool, dtype) -> np.ndarray:
    """The pooled (N, C, P, Q) tensor in ``dtype``."""
    x = x.astype(dtype, copy=False)
    out = np.empty((p["N"], p["C"], p["P"], p["Q"]), dtype)
    for i, j, rows, cols in windows(p):
        window = x[:, :, rows, cols]
        out[:, :, i, j] = window.max(axis=(2, 3)) if is_max else window.mean(axis=(2, 3))
    return out


def max_grad_reference(p: dict, x: np.ndarray, g: np.ndarray, dtype) -> np.ndarray:
    """dx of max pooling: each window's g added at its first maximum (row-major)."""
    dx = np.zeros((p["N"], p["C"], p["H"], p["W"]), dtype)
    n, c = np.indices((p["N"], p["C"]))
    for i, j, rows, cols in windows(p):
        window = x[:, :, rows, cols]
        a, b = np.divmod(window.reshape(p["N"], p["C"], -1).argmax(axis=2), window.shape[3])
        dx[n, c, rows.start + a, cols.start + b] += g[:, :, i, j]
    return dx


def avg_grad_reference(p: dict, g: np.ndarray, dtype) -> np.ndarray:
    """dx of average pooling: each window's g spread evenly over the plane elements under it."""
    dx = np.zeros((p["N"], p["C"], p["H"], p["W"]), dtype)
    g = g.astype(dtype, copy=False)
    for i, j, rows, cols in windows(p):
        count = (rows.stop - rows.start) * (cols.stop - cols.start)
        dx[:, :, rows, cols] += (g[:, :, i, j] / count)[:, :, None, None]
    return dx


def _problem_from(op: str, shape, dtype, scalars) -> dict:
    ws = int_pair(op, "ws", scalars.get("ws"), 1)
    stride = int_pair(op, "stride", scalars.get("stride", ws), 1)
    return window_problem(*shape, ws, stride, int_pair(op, "pad", scalars.get("pad", 0), 0),
                          bool(scalars.get("ignore_border", True)), dtype, op)


def _forward_problem(op):
    def problem_of(arrays, scalars):
        x = np.asarray(arrays["x"])
        require_ndim(op, "x", x, 4, "an NCHW tensor")
        return _problem_from(op, x.shape, require_dtype(op, "x", x), scalars)
    return problem_of


def _backward_problem(op, reads_x: bool):
    def problem_of(arrays, scalars):
        g = np.asarray(arrays["g"])
        require_ndim(op, "g", g, 4, "an N x C x P x Q tensor")
        dtype = require_dtype(op, "g", g)
        if reads_x:
            x = np.asarray(arrays["x"])
            require_ndim(op, "x", x, 4, "an NCHW tensor")
            require_same_dtype(op, {"x": x, "g": g})
            shape = x.shape
        elif "H" in scalars and "W" in scalars:
            shape = (*g.shape[:2], int(scalars["H"]), int(scalars["W"]))
        else:
            raise ShapeError(f"{op}: the input extents H and W must be given")
        p = _problem_from(op, shape, dtype, scalars)
        if g.shape != (p["N"], p["C"], p["P"], p["Q"]):
            raise ShapeError(f"{op}: g is {'x'.join(map(str, g.shape))}, the pooled output is "
                             f"{p['N']}x{p['C']}x{p['P']}x{p['Q']}")
        return p
    return problem_of


def _describe(p) -> str:
    return (f"{p['N']}x{p['C']}x{p['H']}x{p['W']} k{p['kh']},{p['kw']} s{p['sh']},{p['sw']} "
            f"p{p['ph']},{p['pw']} -> {p['P']}x{p['Q']} {p['dtype']}")


# (N, C, H, W, ws, stride, pad, ignore_border): one pixel, LeNet's 2x2/2, partial last windows,
# rectangular windows and strides with padding, overlapping windows, a window as large as the plane.
CASES = ((1, 1, 1, 1, (1, 1), (1, 1), (0, 0), True), (2, 3, 7, 7, (2, 2), (2, 2), (0, 0), True),
         (2, 3, 7, 7, (2, 2), (2, 2), (0, 0), False), (1, 2, 9, 11, (3, 2), (2, 1), (1, 1), True),
         (3, 2, 5, 8, (3, 3), (1, 1), (2, 1), True), (1, 1, 13, 13, (4, 3), (3, 5), (0, 0), False),
         (2, 2, 5, 5, (5, 5), (1, 1), (0, 0), True), (1, 4, 6, 33, (2, 3), (1, 2), (1, 0), True))
CHECK_PROBLEMS = tuple(window_problem(*case[:4], *case[4:], dtype=dtype)
                       for dtype, cases in (("float32", CASES), ("float64", CASES[2:5])) for case in cases)
BENCH_PROBLEMS = (window_problem(64, 64, 112, 112, (3, 3), (2, 2), (1, 1)),)  # the ResNet stem pool


def _plane_elements(p) -> int:
    return p["N"] * p["C"] * p["H"] * p["W"]


def _pooled_elements(p) -> int:
    return p["N"] * p["C"] * p["P"] * p["Q"]


def _array(p, rng, rows: str, cols: str):
    return random_array((p["N"], p["C"], p[rows], p[cols]), p["dtype"], rng)


def _common(p_scale):
    """Workload fields every pool_window workload shares."""
    return dict(check_problems=CHECK_PROBLEMS, bench_problems=BENCH_PROBLEMS, describe=_describe,
                flops=lambda p: float(_pooled_elements(p) * p["kh"] * p["kw"]),
                tolerance=lambda p: tolerance(p["dtype"], scale=float(p["kh"] * p["kw"])),
                bytes_moved=lambda p: float(p_scale(p) * np.dtype(p["dtype"]).itemsize))


def _forward_workload(name: str, is_max: bool) -> Workload:
    def reference(p, ins, dtype=np.float64):
        return {"out": pool_reference(p, ins["x"], is_max, dtype).astype(p["dtype"], copy=False)}
    return Workload(
        name=name, params=(Param("out", "T*", OUT), Param("x", "const T*", IN)) + tuple(Param(k, "int") for k in KEYS),
        make_inputs=lambda p, rng: {"x": _array(p, rng, "H", "W")},
        output_shapes=lambda p: {"out": ((p["N"], p["C"], p["P"], p["Q"]), p["dtype"])},
        reference=reference, numpy=lambda p, ins: reference(p, ins, p["dtype"]), problem_of=_forward_problem(name),
        **_common(lambda p: _plane_elements(p) + _pooled_elements(p)))


def _backward_workload(name: str, is_max: bool) -> Workload:
    """dx from g (and, for the max, x: its gradient goes where the maximum was)."""
    reads = (Param("x", "const T*", IN),) if is_max else ()

    def make_inputs(p, rng):
        return {"g": _array(p, rng, "P", "Q"), **({"x": _array(p, rng, "H", "W")} if is_max else {})}

    def reference(p, ins, dtype=np.float64):
        dx = max_grad_reference(p, ins["x"], ins["g"], dtype) if is_max else avg_grad_reference(p, ins["g"], dtype)
        return {"dx": dx.astype(p["dtype"], copy=False)}
    return Workload(
        name=name, params=(Param("dx", "T*", OUT),) + reads + (Param("g", "const T*", IN),)
        + tuple(Param(k, "int") for k in KEYS),
        make_inputs=make_inputs, output_shapes=lambda p: {"dx": ((p["N"], p["C"], p["H"], p["W"]), p["dtype"])},
        reference=reference, numpy=lambda p, ins: reference(p, ins, p["dtype"]),
        problem_of=_backward_problem(name, is_max),
        **_common(lambda p: _plane_elements(p) * (2 if is_max else 1) + _pooled_elements(p)))


def _geometry(count):
    return lambda p, config, props: grid_stride_geometry({"n": count(p)}, config, props)


for workload, per, count in ((_forward_workload("maxpool2d_window", True), "output", _pooled_elements),
                             (_forward_workload("avgpool2d_window", False), "output", _pooled_elements),
                             (_backward_workload("maxpool2d_window_bwd", True), "input", _plane_elements),
                             (_backward_workload("avgpool2d_window_bwd", False), "input", _plane_elements)):
    for suffix, dtype in (("", "float32"), ("_f64", "float64")):
        register(KernelSpec(
            name=f"{workload.name}{suffix}", workload=workload, source="pool_window.cu",
            entry=f"{workload.name}{suffix}", geometry=_geometry(count), tunables=GRID_STRIDE_TUNABLES,
            restrictions=GRID_STRIDE_RULES, dtypes=(dtype,),
            summary=f"{workload.name}, {dtype}: thread per {per} element, grid-stride, windows cut to the plane"))
