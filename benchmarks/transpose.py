"""Transpose: every variant over its TILE_DIM x BLOCK_ROWS space and size on the GPU, next to a
copy of the same bytes; host code vs NumPy on the CPU."""
from warpbench.bench.cases import SkipBenchmark, host_case, kernel_case

from benchmarks.grids import overrides, sweep, variant_names

VARIANTS = variant_names("transpose")
CONFIGS = list(dict.fromkeys(c for v in VARIANTS for c in sweep(v, "TILE_DIM", "BLOCK_ROWS")))


class TransposeGPU:
    """Device seconds of one transpose launch (median of CUDA-event samples)."""

    params = (["copy"] + VARIANTS, CONFIGS, [1024, 4096, 8192])
    param_names = ["variant", "config", "size"]
    unit = "seconds"
    timeout = 300

    def setup(self, variant, config, size):
        if variant == "copy":
            if config != CONFIGS[0]:
                raise SkipBenchmark("copy has no tiles: measured once per size")
            self.case = kernel_case("copy", {"n": size * size})
        else:
            self.case = kernel_case(variant, {"rows": size, "cols": size}, overrides(config))

    def track_gpu_seconds(self, variant, config, size):
        return self.case.measure().median


class TransposeCPU:
    """Host code (cache-blocked Cython) against NumPy's ``a.T.copy()``."""

    params = (["hostcode", "numpy"], [1024, 4096])
    param_names = ["impl", "size"]

    def setup(self, impl, size):
        self.case = host_case("transpose", {"rows": size, "cols": size, "dtype": "float32"}, impl)

    def time_transpose(self, impl, size):
        self.case.run()
