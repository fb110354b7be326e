"""Transpose: variant × TILE_DIM × BLOCK_ROWS × size on the GPU; host code vs NumPy on the CPU."""
from warpbench.bench.cases import SkipBenchmark, host_case, kernel_case


class TransposeGPU:
    """Device seconds of one transpose launch (median of CUDA-event samples)."""

    params = (["copy", "transpose_naive", "transpose_coalesced", "transpose_padded"], [16, 32, 64],
              [4, 8, 16, 32], [1024, 4096, 8192])
    param_names = ["variant", "TILE_DIM", "BLOCK_ROWS", "size"]
    unit = "seconds"
    timeout = 300

    def setup(self, variant, tile_dim, block_rows, size):
        if variant == "copy":
            if (tile_dim, block_rows) != (32, 8):
                raise SkipBenchmark("copy has no tiles: measured once per size")
            self.case = kernel_case("copy", {"n": size * size})
        else:
            self.case = kernel_case(variant, {"rows": size, "cols": size},
                                    {"TILE_DIM": tile_dim, "BLOCK_ROWS": block_rows})

    def track_gpu_seconds(self, variant, tile_dim, block_rows, size):
        return self.case.measure().median


class TransposeCPU:
    """Host code (cache-blocked Cython) against NumPy's ``a.T.copy()``."""

    params = (["hostcode", "numpy"], [1024, 4096])
    param_names = ["impl", "size"]

    def setup(self, impl, size):
        self.case = host_case("transpose", {"rows": size, "cols": size, "dtype": "float32"}, impl)

    def time_transpose(self, impl, size):
        self.case.run()
