"""conv2d: every variant on LeNet's two layers and a ResNet 3x3 64->64 56x56 layer (batch 64, bias +
ReLU fused) on the GPU, next to cuDNN in the same run (torch conv2d + relu, TF32 off, benchmark
mode; goal: every layer <= 2 x cuDNN); host code (im2col + BLAS) vs NumPy on the CPU.
"""
from warpbench.bench.cases import host_case, kernel_case
from warpbench.bench.peers import cudnn_conv2d
from warpbench.kernels.specs.conv2d import CONV2D, describe

from benchmarks.grids import neighbours, overrides, variant_names

LAYERS = {describe(p): p for p in CONV2D.bench_problems}
VARIANTS = variant_names("conv2d")


class Conv2dGPU:
    """Device seconds of one conv2d (median of CUDA-event samples), default configs, and cuDNN."""

    params = (VARIANTS + ["cudnn"], list(LAYERS))
    param_names = ["variant", "layer"]
    unit = "seconds"
    timeout = 600

    def setup(self, variant, layer):
        problem = LAYERS[layer]
        self.case = cudnn_conv2d(problem) if variant == "cudnn" else kernel_case(variant, problem)

    def track_gpu_seconds(self, variant, layer):
        return self.case.measure().median


class Conv2dImplicitGemmTiles:
    """The implicit GEMM on the ResNet layer (the layer the default targets) at its default tiles
    and at every valid configuration one tunable away."""

    params = (neighbours("conv2d_implicit_gemm"),)
    param_names = ["config"]
    unit = "seconds"
    timeout = 600

    def setup(self, config):
        self.case = kernel_case("conv2d_implicit_gemm", CONV2D.bench_problems[-1], overrides(config))

    def track_gpu_seconds(self, config):
        return self.case.measure().median


class Conv2dCPU:
    """Host code (im2col + BLAS, fused epilogue) against NumPy (one float32 tensordot per filter tap)."""

    params = (["hostcode", "numpy"], list(LAYERS))
    param_names = ["impl", "layer"]
    timeout = 600

    def setup(self, impl, layer):
        self.case = host_case("conv2d", LAYERS[layer], impl)

    def time_conv2d(self, impl, layer):
        self.case.run()
