"""Bias + activation (``nnet.cu``): after a dense layer, x (M, N) + bias (N,), and after a
convolution, x (N, C, H, W) + bias (C,); activation none, relu, tanh or sigmoid.

The problem's ``act`` is the activation's code (``ACTIVATIONS``); ``problem_of`` also takes
its name, as the host code does.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError, UnknownNameError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Workload
from warpbench.kernels.specs.common import (
    MATRIX_SHAPES,
    random_array,
    require_dtype,
    require_ndim,
    require_same_dtype,
    tolerance,
)
from warpbench.kernels.specs.geometry import TILE_2D_RULES, TILE_2D_TUNABLES, rows_by_cols_launch

ACTIVATIONS = {"none": 0, "relu": 1, "tanh": 2, "sigmoid": 3}
ACTIVATION_NAMES = {code: name for name, code in ACTIVATIONS.items()}

NUMPY_ACTIVATIONS = {
    0: lambda v: v,
    1: lambda v: np.maximum(v, 0.0),
    2: np.tanh,
    3: lambda v: 1.0 / (1.0 + np.exp(-v)),
}

# NCHW shapes: a LeNet layer, 1x1 planes, odd planes, and planes of 4 and 5 elements.
NCHW_SHAPES = ((2, 20, 24, 24), (1, 1, 1, 1), (3, 7, 5, 3), (2, 50, 8, 8), (1, 3, 2, 2), (5, 4, 1, 5))


def activation_code(op: str, act) -> int:
    """The code of activation ``act`` (a name or a code); UnknownNameError lists the names."""
    if isinstance(act, str) and act in ACTIVATIONS:
        return ACTIVATIONS[act]
    if not isinstance(act, str) and act in ACTIVATION_NAMES:
        return int(act)
    raise UnknownNameError(f"{op}: unknown activation {act!r} ({', '.join(ACTIVATIONS)})")


def _problem_dtype(op: str, x, bias, ndim: int, what: str) -> str:
    require_ndim(op, "x", x, ndim, what)
    require_ndim(op, "bias", bias, 1, "a vector")
    dtype = require_dtype(op, "x", x)
    require_same_dtype(op, {"x": x, "bias": bias})
    return dtype


def _dense_problem(arrays, scalars):
    x, bias = np.asarray(arrays["x"]), np.asarray(arrays["bias"])
    dtype = _problem_dtype("bias_act", x, bias, 2, "a matrix (M, N)")
    if bias.shape[0] != x.shape[1]:
        raise ShapeError(f"bias_act: bias has length {bias.shape[0]} but x is {x.shape[0]}x{x.shape[1]} "
                         f"({x.shape[1]} columns)")
    return {"M": x.shape[0], "N": x.shape[1], "act": activation_code("bias_act", scalars.get("act", "none")),
            "dtype": dtype}


def _nchw_problem(arrays, scalars):
    x, bias = np.asarray(arrays["x"]), np.asarray(arrays["bias"])
    dtype = _problem_dtype("bias_act_nchw", x, bias, 4, "an NCHW tensor")
    n, c, h, w = x.shape
    if bias.shape[0] != c:
        raise ShapeError(f"bias_act_nchw: bias has length {bias.shape[0]} but x (N, C, H, W) is "
                         f"{n}x{c}x{h}x{w} ({c} channels)")
    return {"N": n, "C": c, "H": h, "W": w, "act": activation_code("bias_act_nchw", scalars.get("act", "none")),
            "dtype": dtype}


def _dense_reference(p, ins, dtype=np.float64):
    v = ins["x"].astype(dtype, copy=False) + ins["bias"].astype(dtype, copy=False)
    return {"out": NUMPY_ACTIVATIONS[p["act"]](v).astype(p["dtype"], copy=False)}


def _nchw_reference(p, ins, dtype=np.float64):
    v = ins["x"].astype(dtype, copy=False) + ins["bias"].astype(dtype, copy=False)[None, :, None, None]
    return {"out": NUMPY_ACTIVATIONS[p["act"]](v).astype(p["dtype"], copy=False)}


def _dense_host(problem, inputs, outputs):
    from warpbench.hostcode import elementwise
    elementwise.bias_act(inputs["x"], inputs["bias"], ACTIVATION_NAMES[problem["act"]], out=outputs["out"])


def _nchw_host(problem, inputs, outputs):
    from warpbench.hostcode import elementwise
    elementwise.bias_act_nchw(inputs["x"], inputs["bias"], ACTIVATION_NAMES[problem["act"]], out=outputs["out"])


def _dense_shape(p):
    return p["M"], p["N"]


def _nchw_shape(p):
    return p["N"], p["C"], p["H"], p["W"]


def _bias_act_workload(name, shape_of, bias_key, problem_of, reference, host, shapes, bench_shape, keys):
    def inputs(p, rng):
        # Inputs in [-3, 3): both sides of relu and the curved part of tanh and sigmoid.
        return {"x": random_array(shape_of(p), p["dtype"], rng, -3.0, 3.0),
                "bias": random_array((p[bias_key],), p["dtype"], rng)}

    def size(p):
        return float(np.prod(shape_of(p)))

    def describe(p):
        return f"{'x'.join(str(d) for d in shape_of(p))} {ACTIVATION_NAMES[p['act']]} {p['dtype']}"

    problems = [{**dict(zip(keys, shape)), "act": (index % 3) + 1, "dtype": "float32"}
                for index, shape in enumerate(shapes)]
    problems += [{**dict(zip(keys, shape)), "act": act, "dtype": "float64"}
                 for shape, act in zip(shapes[:4], (0, 1, 2, 3))]
    return Workload(
        name=name,
        params=(Param("out", "T*", OUT), Param("x", "const T*", IN), Param("bias", "const T*", IN))
        + tuple(Param(k, "int") for k in keys) + (Param("act", "int"),),
        make_inputs=inputs,
        output_shapes=lambda p: {"out": (shape_of(p), p["dtype"])},
        reference=reference,
        numpy=lambda p, ins: reference(p, ins, ins["x"].dtype),
        problem_of=problem_of,
        flops=lambda p: 2.0 * size(p),
        bytes_moved=lambda p: 2.0 * size(p) * np.dtype(p["dtype"]).itemsize,
        check_problems=tuple(problems),
        bench_problems=({**dict(zip(keys, bench_shape)), "act": ACTIVATIONS["relu"], "dtype": "float32"},),
        describe=describe,
        host=host,
        tolerance=lambda p: tolerance(p["dtype"]),
    )


BIAS_ACT = _bias_act_workload("bias_act", _dense_shape, "N", _dense_problem, _dense_reference, _dense_host,
                              MATRIX_SHAPES, (8192, 8192), ("M", "N"))
BIAS_ACT_NCHW = _bias_act_workload("bias_act_nchw", _nchw_shape, "C", _nchw_problem, _nchw_reference, _nchw_host,
                                   NCHW_SHAPES, (64, 64, 56, 56), ("N", "C", "H", "W"))

for suffix, dtype in (("", "float32"), ("_f64", "float64")):
    register(KernelSpec(
        name=f"bias_act{suffix}", workload=BIAS_ACT, source="nnet.cu", entry=f"bias_act{suffix}",
        geometry=lambda p, c, props: rows_by_cols_launch(p["M"], p["N"], c),
        tunables=TILE_2D_TUNABLES, restrictions=TILE_2D_RULES,
        dtypes=(dtype,), summary=f"act(x + bias[col]) on (M, N), {dtype}: threads along rows, rows grid-stride"))
    register(KernelSpec(
        name=f"bias_act_nchw{suffix}", workload=BIAS_ACT_NCHW, source="nnet.cu", entry=f"bias_act_nchw{suffix}",
        geometry=lambda p, c, props: rows_by_cols_launch(p["N"] * p["C"], p["H"] * p["W"], c),
        tunables=TILE_2D_TUNABLES, restrictions=TILE_2D_RULES, dtypes=(dtype,),
        summary=f"act(x + bias[channel]) on NCHW, {dtype}: threads along each H*W plane"))
