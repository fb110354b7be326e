"""axpb (z = a*x + b), CPU against GPU: one benchmark group per size and dtype."""
import pytest

from warpbench.bench.cases import host_case, kernel_case

from tests.benchmarks.support import time_case
from benchmarks.grids import variant_names

SIZES = [1021, 1 << 22]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("impl", ["hostcode", "numpy"])
def test_axpb_cpu(benchmark, impl, dtype, n):
    case = host_case("axpb", {"n": n, "dtype": dtype, "a": 4.0, "b": 5.0}, impl)
    time_case(benchmark, case, f"axpb n={n} {dtype}")


@pytest.mark.gpu
@pytest.mark.parametrize("n", SIZES + [1 << 26])
@pytest.mark.parametrize("variant", variant_names("axpb"))
def test_axpb_gpu(benchmark, variant, n):
    case = kernel_case(variant, {"n": n, "a": 4.0, "b": 5.0})
    time_case(benchmark, case, f"axpb n={n} {case.problem['dtype']}", rounds=20)
