"""axpb (the book's AXPBOp, z = a*x + b) and copy (the bandwidth reference)."""
from __future__ import annotations

import numpy as np

from warpbench.kernels.registry import register
from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Workload, cdiv
from warpbench.kernels.specs.common import random_array, require_dtype, tolerance
from warpbench.kernels.specs.geometry import (
    GRID_STRIDE_RULES,
    GRID_STRIDE_TUNABLES,
    grid_stride_geometry,
)

ODD_SIZES = (1, 2, 7, 31, 255, 256, 257, 1021, 4099, 65537)


def _axpb_problem(arrays, scalars):
    x = np.asarray(arrays["x"])
    dtype = require_dtype("axpb", "x", x)
    return {"n": x.size, "dtype": dtype, "shape": x.shape,
            "a": float(scalars.get("a", 1.0)), "b": float(scalars.get("b", 0.0))}


def _axpb_host(problem, inputs, outputs):
    from warpbench.hostcode import elementwise
    elementwise.axpb(inputs["x"], problem["a"], problem["b"], out=outputs["z"])


AXPB = Workload(
    name="axpb",
    params=(Param("z", "T*", OUT), Param("x", "const T*", IN), Param("a", "T"), Param("b", "T"),
            Param("n", "long long")),
    make_inputs=lambda p, rng: {"x": random_array(p.get("shape", (p["n"],)), p["dtype"], rng)},
    output_shapes=lambda p: {"z": (p.get("shape", (p["n"],)), p["dtype"])},
    reference=lambda p, ins: {"z": (p["a"] * ins["x"].astype(np.float64) + p["b"]).astype(p["dtype"])},
    problem_of=_axpb_problem,
    flops=lambda p: 2.0 * p["n"],
    bytes_moved=lambda p: 2.0 * p["n"] * np.dtype(p["dtype"]).itemsize,
    check_problems=tuple({"n": n, "dtype": d, "a": 4.0, "b": 5.0}
                         for d in ("float32", "float64") for n in ODD_SIZES),
    bench_problems=tuple({"n": 1 << 26, "dtype": d, "a": 4.0, "b": 5.0} for d in ("float32", "float64")),
    describe=lambda p: f"n={p['n']} {p['dtype']}",
    host=_axpb_host,
    tolerance=lambda p: tolerance(p["dtype"]),
    numpy=lambda p, ins: {"z": ins["x"] * ins["x"].dtype.type(p["a"]) + ins["x"].dtype.type(p["b"])},
)


def _copy_problem(arrays, scalars):
    x = np.asarray(arrays["in"])
    require_dtype("copy", "in", x, ("float32",))
    return {"n": x.size, "dtype": "float32", "shape": x.shape}


def _copy_host(problem, inputs, outputs):
    np.copyto(outputs["out"], inputs["in"])


COPY = Workload(
    name="copy",
    params=(Param("out", "float*", OUT), Param("in", "const float*", IN), Param("n", "long long")),
    make_inputs=lambda p, rng: {"in": random_array(p.get("shape", (p["n"],)), "float32", rng)},
    output_shapes=lambda p: {"out": (p.get("shape", (p["n"],)), "float32")},
    reference=lambda p, ins: {"out": ins["in"].copy()},
    problem_of=_copy_problem,
    flops=lambda p: 0.0,
    bytes_moved=lambda p: 8.0 * p["n"],
    check_problems=tuple({"n": n, "dtype": "float32"} for n in ODD_SIZES),
    bench_problems=({"n": 8192 * 8192, "dtype": "float32"},),
    describe=lambda p: f"n={p['n']}",
    host=_copy_host,
    tolerance=lambda p: (0.0, 0.0),
)

for dtype, suffix in (("float32", "f32"), ("float64", "f64")):
    register(KernelSpec(
        name=f"axpb_{suffix}", workload=AXPB, source="elementwise.cu", entry=f"axpb_{suffix}",
        geometry=grid_stride_geometry, tunables=GRID_STRIDE_TUNABLES, restrictions=GRID_STRIDE_RULES,
        dtypes=(dtype,), summary=f"z = a*x + b, {dtype}, grid-stride loop"))

register(KernelSpec(
    name="copy", workload=COPY, source="elementwise.cu", entry="copy_f32",
    geometry=lambda p, c, props: grid_stride_geometry({"n": cdiv(p["n"], 4)}, c, props),
    tunables=GRID_STRIDE_TUNABLES, restrictions=GRID_STRIDE_RULES,
    summary="float4 grid-stride copy: the bandwidth reference"))
