"""Transpose, CPU against GPU: one benchmark group per matrix size.

Run ``pytest tests/benchmarks --benchmark-group-by=group``; under ``--benchmark-disable``
each case runs once and is checked against NumPy.
"""
import pytest

from warpbench.bench.cases import host_case, kernel_case

from tests.benchmarks.support import time_case
from benchmarks.grids import variant_names

SIZES = [257, 2048]
VARIANTS = variant_names("transpose")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("impl", ["hostcode", "numpy"])
def test_transpose_cpu(benchmark, impl, size):
    case = host_case("transpose", {"rows": size, "cols": size, "dtype": "float32"}, impl)
    time_case(benchmark, case, f"transpose {size}x{size}")


@pytest.mark.gpu
@pytest.mark.parametrize("size", SIZES + [8192])
@pytest.mark.parametrize("variant", VARIANTS)
def test_transpose_gpu(benchmark, variant, size):
    case = kernel_case(variant, {"rows": size, "cols": size})
    time_case(benchmark, case, f"transpose {size}x{size}", rounds=20)
