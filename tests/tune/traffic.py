"""A kernel whose configuration changes only its memory traffic: same grid, work and result.

``SCATTER=1`` has each warp touch eight 128-byte lines, four floats in each (8 sectors a
request instead of 4); ``PAD=0`` stages the values through shared memory with a stride of
32 words, so all 32 lanes of a warp hit one bank (a 32-way conflict), where ``PAD=1``'s
stride of 33 words is conflict free.
"""
import numpy as np

from warpbench.kernels.spec import IN, OUT, KernelSpec, Param, Tunable, Workload, cdiv, launch

CODE = r"""
#ifndef SCATTER
#define SCATTER 0
#endif
#ifndef PAD
#define PAD 1
#endif
extern "C" __global__ void staged_scale(float* y, const float* x, int n) {
    __shared__ float staged[32 * 33];
    int t = threadIdx.x;
#if SCATTER
    int i = blockIdx.x * 256 + (t % 8) * 32 + t / 8;
#else
    int i = blockIdx.x * 256 + t;
#endif
    int slot = (t % 32) * (32 + PAD) + t / 32;
    if (i < n)
        staged[slot] = x[i];
    __syncthreads();
    if (i < n)
        y[i] = 2.0f * staged[slot];
}
"""

TUNED = {"n": 8192, "dtype": "float32"}

WORKLOAD = Workload(
    name="staged_scale", params=(Param("y", "float*", OUT), Param("x", "const float*", IN), Param("n", "int")),
    make_inputs=lambda p, rng: {"x": rng.standard_normal(p["n"]).astype(np.float32)},
    output_shapes=lambda p: {"y": ((p["n"],), "float32")},
    reference=lambda p, ins: {"y": 2.0 * ins["x"]},
    problem_of=lambda arrays, scalars: {"n": len(arrays["x"]), "dtype": "float32"},
    flops=lambda p: float(p["n"]), bytes_moved=lambda p: 8.0 * p["n"],
    check_problems=({"n": 1, "dtype": "float32"}, {"n": 300, "dtype": "float32"}),
    bench_problems=(TUNED,), describe=lambda p: f"n={p['n']}")

SPEC = KernelSpec(name="staged_scale", workload=WORKLOAD, source="staged_scale.cu", entry="staged_scale",
                  geometry=lambda problem, config, props: launch(max(1, cdiv(problem["n"], 256)), 256),
                  tunables=(Tunable("SCATTER", (0, 1), 0), Tunable("PAD", (1, 0), 1)), code=CODE)
