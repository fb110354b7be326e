"""axpb (z = a*x + b): GPU device seconds per block size, host code vs NumPy on the CPU."""
from warpbench.bench.cases import host_case, kernel_case
from warpbench.kernels import get

from benchmarks.grids import variant_names

SIZES = [1 << 20, 1 << 24, 1 << 26]
VARIANTS = variant_names("axpb")
BLOCKS = list(get(VARIANTS[0]).tunable("BLOCK").values)


class AxpbGPU:
    """Device seconds of one axpb launch (median of CUDA-event samples)."""

    params = (VARIANTS, BLOCKS, SIZES)
    param_names = ["variant", "BLOCK", "n"]
    unit = "seconds"
    timeout = 300

    def setup(self, variant, block, n):
        self.case = kernel_case(variant, {"n": n, "a": 4.0, "b": 5.0}, {"BLOCK": block})

    def track_gpu_seconds(self, variant, block, n):
        return self.case.measure().median


class AxpbCPU:
    """Host code (Cython, OpenMP) against NumPy."""

    params = (["hostcode", "numpy"], ["float32", "float64"], SIZES)
    param_names = ["impl", "dtype", "n"]

    def setup(self, impl, dtype, n):
        self.case = host_case("axpb", {"n": n, "dtype": dtype, "a": 4.0, "b": 5.0}, impl)

    def time_axpb(self, impl, dtype, n):
        self.case.run()
