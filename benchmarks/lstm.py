"""LSTM forward: the sequence pipelines at the rnn-benchmarks setting (hidden 512, batch 32, 30 steps,
input 512) next to cuDNN in the same run (torch.nn.LSTM, TF32 off; goal <= 2 x cuDNN), the cell
and the fused step on their own; host code vs NumPy on the CPU.
"""
from warpbench.bench.cases import host_case, kernel_case
from warpbench.bench.peers import cudnn_lstm
from warpbench.kernels import select
from warpbench.kernels.specs.lstm import SEQUENCE_BENCH

from benchmarks.grids import overrides, sweep

SEQUENCE = SEQUENCE_BENCH[0]
WORKLOADS = ["lstm_forward", "bilstm_forward", "lstm_step", "lstm_cell"]


def _gpu_cases() -> dict:
    """Case label -> variant name or cuDNN flag, problem."""
    cases = {f"cudnn{' bidirectional' if bi else ''} {SEQUENCE['T']}x{SEQUENCE['B']}x{SEQUENCE['H']}": (bi, SEQUENCE)
             for bi in (False, True)}
    for spec in select(WORKLOADS):
        for problem in spec.workload.bench_problems:
            cases[f"{spec.name} {spec.workload.describe(problem)}"] = (spec.name, problem)
    return cases


GPU_CASES = _gpu_cases()


class LstmGPU:
    """Device seconds of one forward (median of CUDA-event samples), default configs, and cuDNN."""

    params = (list(GPU_CASES),)
    param_names = ["case"]
    unit = "seconds"
    timeout = 600

    def setup(self, case):
        what, problem = GPU_CASES[case]
        self.case = cudnn_lstm(problem, what) if isinstance(what, bool) else kernel_case(what, problem)

    def track_gpu_seconds(self, case):
        return self.case.measure().median


class LstmStepTiles:
    """The fused step's block shape at hidden 512, batch 32: hidden units per block x split-K groups,
    every valid pair with the other tunables at their defaults."""

    params = (sweep("lstm_step", "JT", "KSPLIT"),)
    param_names = ["config"]
    unit = "seconds"
    timeout = 600

    def setup(self, config):
        self.case = kernel_case("lstm_step", {"B": 32, "H": 512}, overrides(config))

    def track_gpu_seconds(self, config):
        return self.case.measure().median


class LstmCPU:
    """Host code (BLAS input projection + per-step GEMM and cell) against a float32 NumPy loop."""

    params = (["hostcode", "numpy"], ["lstm_forward", "bilstm_forward"])
    param_names = ["impl", "workload"]
    timeout = 600

    def setup(self, impl, workload):
        self.case = host_case(workload, SEQUENCE, impl)

    def time_forward(self, impl, workload):
        self.case.run()
