"""The nnet ops, CPU (host code, NumPy) against every GPU variant: one group per op and problem.

Problems are the sizes the book's networks use (MNIST-MLP batches, LeNet feature maps, a
char-LSTM vocabulary); the GPU also runs each workload's large bench problems.
"""
import pytest

from warpbench.bench.cases import host_case, kernel_case
from warpbench.kernels import get, get_workload, variants_of
from warpbench.kernels.specs.pool import pool_problem

from tests.benchmarks.support import time_case

ROWS = {"rows": 257, "cols": 1000}
PROBLEMS = {
    "softmax": [ROWS], "log_softmax": [ROWS], "cross_entropy": [ROWS], "argmax": [ROWS],
    "reduce_sum": [{**ROWS, "axis": 0}, {**ROWS, "axis": 1}], "reduce_max": [{**ROWS, "axis": 1}],
    "bias_act": [{"M": 128, "N": 500, "act": 1}], "bias_act_nchw": [{"N": 64, "C": 20, "H": 24, "W": 24, "act": 1}],
    "maxpool2d": [pool_problem(64, 20, 24, 24, 2, 2)], "avgpool2d": [pool_problem(64, 50, 8, 8, 2, 2)],
    "global_avgpool": [{"N": 64, "C": 512, "H": 7, "W": 7}],
    "embedding": [{"V": 100, "D": 256, "ids_shape": (50, 64), "count": 50 * 64}],
}
CPU_CASES = [(family, {**problem, "dtype": "float32"}) for family, problems in PROBLEMS.items()
             for problem in problems]
GPU_CASES = [(spec.name, problem) for family, problems in PROBLEMS.items() for spec in variants_of(family)
             for problem in problems + [{k: v for k, v in p.items() if k != "dtype"}
                                        for p in spec.workload.bench_problems]]


def _group(family, problem) -> str:
    workload = get_workload(family)
    return f"{family} {workload.describe(problem)}"


@pytest.mark.parametrize("family,problem", CPU_CASES, ids=[f"{f}-{i}" for i, (f, _) in enumerate(CPU_CASES)])
@pytest.mark.parametrize("impl", ["hostcode", "numpy"])
def test_nnet_cpu(benchmark, impl, family, problem):
    case = host_case(family, problem, impl)
    time_case(benchmark, case, _group(family, problem))


@pytest.mark.gpu
@pytest.mark.parametrize("variant,problem", GPU_CASES, ids=[f"{v}-{i}" for i, (v, _) in enumerate(GPU_CASES)])
def test_nnet_gpu(benchmark, variant, problem):
    case = kernel_case(variant, problem)
    time_case(benchmark, case, _group(get(variant).workload.name, case.problem), rounds=20)
