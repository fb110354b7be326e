"""GEMV, CPU (BLAS host code, NumPy) against GPU variants: one benchmark group per problem.

Run ``pytest tests/benchmarks --benchmark-group-by=group``; under ``--benchmark-disable``
each case runs once and is checked against NumPy.
"""
import pytest

from warpbench.bench.cases import host_case, kernel_case
from warpbench.kernels import get

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
    benchmark.group = f"gemv {case.workload.describe(case.problem)}"
    benchmark(case.run)
    case.verify()


@pytest.mark.gpu
@pytest.mark.parametrize("size", SIZES + [8192])
@pytest.mark.parametrize("trans", [0, 1])
@pytest.mark.parametrize("variant", VARIANTS)
def test_gemv_gpu(benchmark, variant, trans, size):
    case = kernel_case(variant, _problem(size, trans))
    benchmark.group = f"gemv {get(variant).workload.describe(case.problem)}"
    benchmark.pedantic(case.run, rounds=20, warmup_rounds=3)
    benchmark.extra_info["gpu_seconds_median"] = case.measure().median
    case.verify()
