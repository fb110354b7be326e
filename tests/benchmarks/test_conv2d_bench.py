"""conv2d, CPU against GPU: one benchmark group per layer (LeNet's two, a ResNet 3x3 64->64 56x56).

Run ``pytest tests/benchmarks --benchmark-group-by=group``; under ``--benchmark-disable`` each case
runs once and is checked against NumPy. The CPU side runs the two LeNet layers only: the ResNet
layer's float64 NumPy reference alone takes seconds.
"""
import pytest

from warpbench.bench.cases import host_case, kernel_case
from warpbench.kernels.specs.conv2d import CONV2D, describe

from tests.benchmarks.support import time_case
from benchmarks.grids import variant_names

LAYERS = list(CONV2D.bench_problems)
VARIANTS = variant_names("conv2d")


@pytest.mark.parametrize("layer", LAYERS[:2], ids=describe)
@pytest.mark.parametrize("impl", ["hostcode", "numpy"])
def test_conv2d_cpu(benchmark, impl, layer):
    case = host_case("conv2d", layer, impl)
    time_case(benchmark, case, f"conv2d {describe(layer)}")


@pytest.mark.gpu
@pytest.mark.parametrize("layer", LAYERS, ids=describe)
@pytest.mark.parametrize("variant", VARIANTS)
def test_conv2d_gpu(benchmark, variant, layer):
    case = kernel_case(variant, layer)
    time_case(benchmark, case, f"conv2d {describe(layer)}", rounds=20)
