"""Pooling over NCHW (``pool.cu``): max and average over k x k windows moved by ``stride``
(no padding; out (N, C, P, Q), P = (H - k) // stride + 1), and the global average pool
(out (N, C))."""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Workload
from warpbench.kernels.specs.common import (
    NCHW_SHAPES,
    random_array,
    require_dtype,
    require_ndim,
    require_nonempty,
    sum_tolerance,
    tolerance,
)
from warpbench.kernels.specs.geometry import (
    BLOCK_ROWS,
    BLOCK_ROWS_RULE,
    GRID_STRIDE_RULES,
    GRID_STRIDE_TUNABLES,
    grid_stride_geometry,
    warp_rows_launch,
)

NCHW = ("N", "C", "H", "W")
# (N, C, H, W, k, stride): 1x1, the LeNet 2x2/2 pools, windows that do not tile the plane,
# overlapping windows (stride < k), a window as large as the plane.
POOL_CASES = ((1, 1, 1, 1, 1, 1), (2, 20, 24, 24, 2, 2), (2, 3, 7, 7, 2, 2), (1, 2, 6, 9, 3, 3),
              (1, 3, 9, 11, 3, 2), (3, 2, 5, 8, 2, 1), (1, 1, 13, 13, 4, 3), (2, 2, 5, 5, 5, 1))
POOL_CASES_F64 = ((2, 3, 7, 7, 2, 2), (1, 3, 9, 11, 3, 2))


def _nchw(op: str, arrays) -> tuple[np.ndarray, str]:
    x = np.asarray(arrays["x"])
    require_ndim(op, "x", x, 4, "an NCHW tensor")
    dtype = require_dtype(op, "x", x)
    require_nonempty(op, "x", x)
    return x, dtype


def _positive(op: str, name: str, value) -> int:
    if not isinstance(value, (int, np.integer)) or value < 1:
        raise ShapeError(f"{op}: {name} must be a positive int, got {value!r}")
    return int(value)


def pool_problem(n, c, h, w, k, stride, dtype="float32") -> dict:
    """The problem of pooling an (n, c, h, w) tensor with k x k windows moved by ``stride``."""
    return {"N": n, "C": c, "H": h, "W": w, "k": k, "stride": stride,
            "P": (h - k) // stride + 1, "Q": (w - k) // stride + 1, "dtype": dtype}


def _pool_workload(name: str, numpy_op) -> Workload:
    def problem_of(arrays, scalars):
        x, dtype = _nchw(name, arrays)
        k = _positive(name, "k", scalars.get("k"))
        stride = _positive(name, "stride", scalars.get("stride", k))
        n, c, h, w = x.shape
        if k > h or k > w:
            raise ShapeError(f"{name}: window {k}x{k} is larger than the input plane {h}x{w}")
        return pool_problem(n, c, h, w, k, stride, dtype)

    def reference(p, ins, dtype=np.float64):
        windows = np.lib.stride_tricks.sliding_window_view(ins["x"].astype(dtype, copy=False), (p["k"], p["k"]),
                                                           axis=(2, 3))
        strided = windows[:, :, ::p["stride"], ::p["stride"]]
        return {"out": numpy_op(strided, axis=(4, 5)).astype(p["dtype"], copy=False)}

    def host(problem, inputs, outputs):
        from warpbench.hostcode import nnet
        getattr(nnet, name)(inputs["x"], problem["k"], problem["stride"], out=outputs["out"])

    def outputs(p):
        return p["N"] * p["C"] * p["P"] * p["Q"]

    return Workload(
        name=name,
        params=(Param("out", "T*", OUT), Param("x", "const T*", IN))
        + tuple(Param(k, "int") for k in NCHW + ("k", "stride", "P", "Q")),
        make_inputs=lambda p, rng: {"x": random_array(tuple(p[d] for d in NCHW), p["dtype"], rng)},
        output_shapes=lambda p: {"out": ((p["N"], p["C"], p["P"], p["Q"]), p["dtype"])},
        reference=reference,
        numpy=lambda p, ins: reference(p, ins, ins["x"].dtype),
        problem_of=problem_of,
        flops=lambda p: float(outputs(p) * p["k"] * p["k"]),
        bytes_moved=lambda p: float(p["N"] * p["C"] * p["H"] * p["W"] + outputs(p)) * np.dtype(p["dtype"]).itemsize,
        check_problems=tuple(pool_problem(*case, dtype)
                             for dtype, cases in (("float32", POOL_CASES), ("float64", POOL_CASES_F64))
                             for case in cases),
        # The ResNet stem pool's input size, without its padding: 64 images x 64 channels, 112x112.
        bench_problems=(pool_problem(64, 64, 112, 112, 2, 2, "float32"),),
        describe=lambda p: (f"{'x'.join(str(p[d]) for d in NCHW)} k={p['k']} s={p['stride']} {p['dtype']}"),
        host=host,
        tolerance=lambda p: tolerance(p["dtype"]),
    )


MAXPOOL = _pool_workload("maxpool2d", np.max)
AVGPOOL = _pool_workload("avgpool2d", np.mean)


def _global_problem(arrays, scalars):
    x, dtype = _nchw("global_avgpool", arrays)
    return {**dict(zip(NCHW, x.shape)), "dtype": dtype}


def _global_host(problem, inputs, outputs):
    from warpbench.hostcode import nnet
    nnet.global_avgpool(inputs["x"], out=outputs["out"])


GLOBAL_AVGPOOL = Workload(
    name="global_avgpool",
    params=(Param("out", "T*", OUT), Param("x", "const T*", IN)) + tuple(Param(k, "int") for k in NCHW),
    make_inputs=lambda p, rng: {"x": random_array(tuple(p[d] for d in NCHW), p["dtype"], rng)},
    output_shapes=lambda p: {"out": ((p["N"], p["C"]), p["dtype"])},
    reference=lambda p, ins: {"out": ins["x"].astype(np.float64).mean(axis=(2, 3)).astype(p["dtype"])},
    numpy=lambda p, ins: {"out": ins["x"].mean(axis=(2, 3))},
    problem_of=_global_problem,
    flops=lambda p: float(p["N"] * p["C"] * p["H"] * p["W"]),
    bytes_moved=lambda p: float(p["N"] * p["C"] * (p["H"] * p["W"] + 1)) * np.dtype(p["dtype"]).itemsize,
    check_problems=tuple({**dict(zip(NCHW, shape)), "dtype": dtype}
                         for dtype, shapes in (("float32", NCHW_SHAPES), ("float64", NCHW_SHAPES[:3]))
                         for shape in shapes),
    # The ResNet head: 64 images x 512 channels of 7x7.
    bench_problems=({"N": 64, "C": 512, "H": 7, "W": 7, "dtype": "float32"},),
    describe=lambda p: f"{'x'.join(str(p[d]) for d in NCHW)} {p['dtype']}",
    host=_global_host,
    tolerance=lambda p: sum_tolerance(p["dtype"], p["H"] * p["W"]),
)



def _pool_geometry(problem, config, props):
    outputs = problem["N"] * problem["C"] * problem["P"] * problem["Q"]
    return grid_stride_geometry({"n": outputs}, config, props)


for workload, what in ((MAXPOOL, "max"), (AVGPOOL, "mean")):
    for suffix, dtype in (("", "float32"), ("_f64", "float64")):
        register(KernelSpec(
            name=f"{workload.name}{suffix}", workload=workload, source="pool.cu", entry=f"{workload.name}{suffix}",
            geometry=_pool_geometry, tunables=GRID_STRIDE_TUNABLES, restrictions=GRID_STRIDE_RULES, dtypes=(dtype,),
            summary=f"{what} of k x k windows, {dtype}: thread per output, grid-stride"))

for suffix, dtype in (("", "float32"), ("_f64", "float64")):
    register(KernelSpec(
        name=f"global_avgpool_warp{suffix}", workload=GLOBAL_AVGPOOL, source="pool.cu",
        entry=f"global_avgpool_warp{suffix}",
        geometry=lambda p, c, props: warp_rows_launch(p["N"] * p["C"], c["BLOCK_ROWS"]),
        tunables=(BLOCK_ROWS,), restrictions=(BLOCK_ROWS_RULE,), dtypes=(dtype,),
        summary=f"mean of each H x W plane, {dtype}: warp per plane, shuffle reduction"))
