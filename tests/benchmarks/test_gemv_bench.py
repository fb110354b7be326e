"""GEMV, CPU (BLAS host code, NumPy) against GPU variants: one benchmark group per problem.

Run ``pytest tests/benchmarks --benchmark-group-by=group``; under ``--benchmark-disable``
each case runs once and is checked against NumPy.
"""
import pytest

from warpbench.bench.cases import host_case, kernel_case
from warpbench.kernels import get

from tests.benchmarks.support import time_case
from benchmarks.grids import variant_names

SIZES = [257, 2048]
VARIANTS = variant_names("gemv")


def _problem(size, trans):
    return {"M": size, "N": size, "trans": trans, "alpha": 1.0, "beta": 0.0}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("trans", [0, 1])
@pytest.mark.parametrize("impl", ["hostcode", "numpy"])
def test_gemv_cpu(benchmark, impl, trans, size):
    case = host_case("gemv", {**_problem(size, trans), "dtype": "float32"}, impl)
    time_case(benchmark, case, f"gemv {case.workload.describe(case.problem)}")


@pytest.mark.gpu
@pytest.mark.parametrize("size", SIZES + [8192])
@pytest.mark.parametrize("trans", [0, 1])
@pytest.mark.parametrize("variant", VARIANTS)
def test_gemv_gpu(benchmark, variant, trans, size):
    case = kernel_case(variant, _problem(size, trans))
    time_case(benchmark, case, f"gemv {get(variant).workload.describe(case.problem)}", rounds=20)
