"""A kernel with a config-dependent bug: with TILE=64 the last partial tile is never written.

It is right at every size that is a multiple of 64 (the tuned problem, n=4096, is one), so
a tuner that checks only the tuned problem, as Kernel Tuner does, accepts it; the awkward
sizes (n=100, 1000) catch it.
"""
import numpy as np

from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Tunable, Workload, cdiv, launch

CODE = r"""
#ifndef TILE
#define TILE 1
#endif
extern "C" __global__ void tiled_scale(float* y, const float* x, int n) {
    int base = (blockIdx.x * blockDim.x + threadIdx.x) * TILE;
    for (int k = 0; k < TILE; ++k) {
        int i = base + k;
#if TILE == 64
        if (base + TILE <= n)
#else
        if (i < n)
#endif
            y[i] = 2.0f * x[i];
    }
}
"""

TUNED = {"n": 4096, "dtype": "float32"}

WORKLOAD = Workload(
    name="tiled_scale", params=(Param("y", "float*", OUT), Param("x", "const float*", IN), Param("n", "int")),
    make_inputs=lambda p, rng: {"x": rng.standard_normal(p["n"]).astype(np.float32)},
    output_shapes=lambda p: {"y": ((p["n"],), "float32")},
    reference=lambda p, ins: {"y": 2.0 * ins["x"]},
    problem_of=lambda arrays, scalars: {"n": len(arrays["x"]), "dtype": "float32"},
    flops=lambda p: float(p["n"]), bytes_moved=lambda p: 8.0 * p["n"],
    check_problems=({"n": 1, "dtype": "float32"}, {"n": 100, "dtype": "float32"}, {"n": 1000, "dtype": "float32"}),
    bench_problems=(TUNED,), describe=lambda p: f"n={p['n']}")


def _geometry(problem, config, props):
    return launch(max(1, cdiv(problem["n"], config["BLOCK"] * config["TILE"])), config["BLOCK"])


SPEC = KernelSpec(name="tiled_scale", workload=WORKLOAD, source="tiled_scale.cu", entry="tiled_scale",
                  geometry=_geometry, tunables=(Tunable("TILE", (1, 4, 16, 64), 1), Tunable("BLOCK", (64, 128), 64)),
                  code=CODE)
