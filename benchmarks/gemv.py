"""GEMV: variant x orientation x size on the GPU, next to a copy of the same bytes and cuBLAS
SGEMV; BLAS host code vs NumPy on the CPU.

GEMV reads the matrix once, so its natural reference is a copy moving as many bytes: the
copy case copies M*N/2 floats (M*N*4 bytes read and written), and the goal is GEMV time
<= copy time / 0.85 at 8192x8192.
"""
from warpbench.bench.cases import SkipBenchmark, host_case, kernel_case
from warpbench.bench.peers import cublas_gemv
from warpbench.kernels import get

from benchmarks.grids import variant_names

VARIANTS = variant_names("gemv")
# The float32 warp kernels, tuned by their warps per block.
WARP_VARIANTS = [v for v in variant_names("gemv", "float32") if "BLOCK_ROWS" in get(v).default_config]
SIZES = [1024, 4096, 8192]


def _problem(size, trans):
    """Square y = A x or A^T x; the dtype is the variant's own (kernel_case fills it in)."""
    return {"M": size, "N": size, "trans": trans, "alpha": 1.0, "beta": 0.0}


class GemvGPU:
    """Device seconds of one GEMV launch (median of CUDA-event samples), default configs."""

    params = (["copy"] + VARIANTS, [0, 1], SIZES)
    param_names = ["variant", "trans", "size"]
    unit = "seconds"
    timeout = 300

    def setup(self, variant, trans, size):
        if variant == "copy":
            if trans:
                raise SkipBenchmark("copy has no orientation: measured once per size")
            self.case = kernel_case("copy", {"n": size * size // 2})
        else:
            self.case = kernel_case(variant, _problem(size, trans))

    def track_gpu_seconds(self, variant, trans, size):
        return self.case.measure().median


class GemvCuBLAS:
    """cuBLAS SGEMV (through CuPy or torch) on the same problems: the vendor reference."""

    params = (["cupy", "torch"], [0, 1], SIZES)
    param_names = ["library", "trans", "size"]
    unit = "seconds"
    timeout = 300

    def setup(self, library, trans, size):
        self.case = cublas_gemv(library, _problem(size, trans))

    def track_gpu_seconds(self, library, trans, size):
        return self.case.measure().median


class GemvTuning:
    """Warps per block of the warp kernels at 8192x8192, both orientations."""

    params = (WARP_VARIANTS, [0, 1], list(get(WARP_VARIANTS[0]).tunable("BLOCK_ROWS").values))
    param_names = ["variant", "trans", "BLOCK_ROWS"]
    unit = "seconds"
    timeout = 300

    def setup(self, variant, trans, block_rows):
        self.case = kernel_case(variant, _problem(8192, trans), {"BLOCK_ROWS": block_rows})

    def track_gpu_seconds(self, variant, trans, block_rows):
        return self.case.measure().median


class GemvCPU:
    """BLAS through the host code against NumPy's matmul."""

    params = (["hostcode", "numpy"], [0, 1], [1024, 4096])
    param_names = ["impl", "trans", "size"]

    def setup(self, impl, trans, size):
        self.case = host_case("gemv", {**_problem(size, trans), "dtype": "float32"}, impl)

    def time_gemv(self, impl, trans, size):
        self.case.run()
