"""GEMM, CPU against GPU: one benchmark group per problem (the MNIST MLP's layers and a square).

Run ``pytest tests/benchmarks --benchmark-group-by=group``; under ``--benchmark-disable`` each case
runs once and is checked against NumPy. The CPU side is the BLAS host code next to float32
``numpy.matmul``; cuBLAS, the GPU yardstick, is in the asv suite (``benchmarks/gemm.py``).
"""
import pytest

from warpbench.bench.cases import host_case, kernel_case
from warpbench.kernels.specs.gemm import GEMM, gemm_problem

from tests.benchmarks.support import time_case
from benchmarks.grids import variant_names

PROBLEMS = [gemm_problem(128, 500, 784), gemm_problem(784, 500, 128, 1, 0), gemm_problem(1024, 1024, 1024)]
VARIANTS = variant_names("gemm", "float32")


@pytest.mark.parametrize("problem", PROBLEMS, ids=GEMM.describe)
def test_gemm_cpu_hostcode(benchmark, problem):
    case = host_case("gemm", problem)
    time_case(benchmark, case, f"gemm {GEMM.describe(problem)}")


@pytest.mark.parametrize("problem", PROBLEMS, ids=GEMM.describe)
def test_gemm_cpu_numpy_matmul(benchmark, problem):
    case = host_case("gemm", problem, "numpy")
    time_case(benchmark, case, f"gemm {GEMM.describe(problem)}")


@pytest.mark.gpu
@pytest.mark.parametrize("problem", PROBLEMS + [gemm_problem(4096, 4096, 4096)], ids=GEMM.describe)
@pytest.mark.parametrize("variant", VARIANTS)
def test_gemm_gpu(benchmark, variant, problem):
    case = kernel_case(variant, problem)
    time_case(benchmark, case, f"gemm {GEMM.describe(problem)}", rounds=10, warmup_rounds=2)
