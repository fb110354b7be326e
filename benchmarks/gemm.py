"""GEMM: every step of the progression per problem on the GPU, the two fastest steps at 4096^3
around their defaults, cuBLAS SGEMM (TF32 off) as the same-run reference, and the BLAS host code
next to float32 numpy.matmul on the CPU."""
from warpbench.bench.cases import host_case, kernel_case
from warpbench.bench.peers import cublas_gemm
from warpbench.kernels.specs.gemm import GEMM, gemm_problem

from benchmarks.grids import neighbours, overrides, variant_names

PROBLEMS = {GEMM.describe(p): p for p in GEMM.bench_problems}
VARIANTS = variant_names("gemm", "float32")
SQUARE = gemm_problem(4096, 4096, 4096)

# The last two steps of the progression (warp tiling, double buffering), the fastest, at their
# defaults and one tunable away (the autotuner explores the full space).
TUNING = {f"{variant} {config}": (variant, config) for variant in VARIANTS[-2:] for config in neighbours(variant)}


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
        variant, label = TUNING[config]
        self.case = kernel_case(variant, SQUARE, overrides(label))

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
