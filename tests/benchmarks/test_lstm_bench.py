"""LSTM forward, CPU against GPU at the rnn-benchmarks setting (hidden 512, batch 32, 30 steps).

One benchmark group per workload; under ``--benchmark-disable`` each case runs once and is
checked against NumPy.
"""
import pytest

from warpbench.bench.cases import host_case, kernel_case
from warpbench.kernels import select
from warpbench.kernels.specs.lstm import SEQUENCE_BENCH

from tests.benchmarks.support import time_case

SEQUENCE = SEQUENCE_BENCH[0]
WORKLOADS = ["lstm_forward", "bilstm_forward"]


@pytest.mark.parametrize("workload", WORKLOADS)
@pytest.mark.parametrize("impl", ["hostcode", "numpy"])
def test_lstm_cpu(benchmark, impl, workload):
    case = host_case(workload, SEQUENCE, impl)
    time_case(benchmark, case, f"{workload} T={SEQUENCE['T']} B={SEQUENCE['B']} H={SEQUENCE['H']}")


@pytest.mark.gpu
@pytest.mark.parametrize("variant", [s.name for s in select(WORKLOADS)])
def test_lstm_gpu(benchmark, variant):
    case = kernel_case(variant, SEQUENCE)
    time_case(benchmark, case, f"{case.workload.name} T={SEQUENCE['T']} B={SEQUENCE['B']} H={SEQUENCE['H']}", rounds=20)
