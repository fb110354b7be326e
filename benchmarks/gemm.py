"""GEMM: every step of the progression per problem on the GPU, a tuning sweep of the two fastest
steps at 4096^3, cuBLAS SGEMM (TF32 off) as the same-run reference, and the BLAS host code next
to float32 numpy.matmul on the CPU."""
from warpbench.bench.cases import host_case, kernel_case
from warpbench.bench.peers import cublas_gemm
from warpbench.kernels import select
from warpbench.kernels.specs.gemm import GEMM, gemm_problem

PROBLEMS = {GEMM.describe(p): p for p in GEMM.bench_problems}
VARIANTS = [s.name for s in select(["gemm"]) if s.name.startswith("sgemm_")]
SQUARE = gemm_problem(4096, 4096, 4096)

# Hand-picked neighbours of the defaults (the autotuner explores the full space).
TUNING = {
    "warptile 128x128x16 w64x64 4 warps": ("sgemm_warptile", {}),
    "warptile 128x128x16 w64x32 8 warps": ("sgemm_warptile", {"THREADS": 256, "WN": 32, "WNITER": 2}),
    "warptile 128x256x16 w64x64 8 warps": ("sgemm_warptile", {"THREADS": 256, "BN": 256, "TN": 8, "WNITER": 2}),
    "double_buffer 128x128x8 w64x32 8 warps": ("sgemm_double_buffer", {}),
    "double_buffer 128x128x16 w64x32 8 warps": ("sgemm_double_buffer", {"BK": 16}),
    "double_buffer 128x256x8 w64x64 8 warps": ("sgemm_double_buffer", {
        "BN": 256, "WN": 64, "TN": 8, "MIN_BLOCKS": 1}),
    "double_buffer 128x128x16 w64x64 4 warps": ("sgemm_double_buffer", {
        "THREADS": 128, "BK": 16, "WN": 64, "WNITER": 4, "TM": 8, "MIN_BLOCKS": 1}),
}


class GemmGPU:
    """Device seconds of one launch of each step (median of CUDA-event samples)."""

    params = (VARIANTS, list(PROBLEMS))
    param_names = ["variant", "problem"]
    unit = "seconds"
    timeout = 600

    def setup(self, variant, problem):
        self.case = kernel_case(variant, PROBLEMS[problem])

    def track_gpu_seconds(self, variant, problem):
        return self.case.measure().median


class GemmTuningGPU:
    """The warp-tiled steps at 4096^3 under neighbouring configurations."""

    params = (list(TUNING),)
    param_names = ["config"]
    unit = "seconds"
    timeout = 300

    def setup(self, config):
        variant, overrides = TUNING[config]
        self.case = kernel_case(variant, SQUARE, overrides)

    def track_gpu_seconds(self, config):
        return self.case.measure().median


class GemmCuBLAS:
    """cuBLAS SGEMM on the same problems: the denominator of the progression's ratios."""

    params = (["cupy", "torch"], list(PROBLEMS))
    param_names = ["library", "problem"]
    unit = "seconds"
    timeout = 300

    def setup(self, library, problem):
        self.case = cublas_gemm(library, PROBLEMS[problem])

    def track_gpu_seconds(self, library, problem):
        return self.case.measure().median


CPU_PROBLEMS = {**{k: p for k, p in PROBLEMS.items() if p["M"] * p["N"] * p["K"] < 1e9},
                GEMM.describe(gemm_problem(1024, 1024, 1024)): gemm_problem(1024, 1024, 1024)}


class GemmCPU:
    """Host code (BLAS through Cython) against float32 numpy.matmul: 1024^3 and the MLP shapes."""

    params = (["hostcode", "numpy"], list(CPU_PROBLEMS))
    param_names = ["impl", "problem"]

    def setup(self, impl, problem):
        self.case = host_case("gemm", CPU_PROBLEMS[problem], impl)

    def time_gemm(self, impl, problem):
        self.case.run()
