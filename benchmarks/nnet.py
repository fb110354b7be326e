"""The nnet kernels (softmax, cross-entropy, reductions, bias + activation, pooling,
embedding): every variant at its workload's GPU sizes, next to a copy of 8192x8192 floats
(the bytes softmax at 8192x8192 reads and writes; goal: softmax time <= copy time / 0.8);
host code vs NumPy on the CPU at the same sizes.
"""
from warpbench.bench.cases import host_case, kernel_case
from warpbench.kernels import get, get_workload, variants_of

FAMILIES = ["softmax", "log_softmax", "cross_entropy", "reduce_sum", "reduce_max", "argmax", "bias_act",
            "bias_act_nchw", "maxpool2d", "avgpool2d", "global_avgpool", "embedding"]


def _gpu_cases() -> dict:
    """Case label -> (variant, problem): each variant on its workload's bench problems, in its dtype."""
    cases = {"copy n=67108864": ("copy", {"n": 8192 * 8192})}
    for spec in (s for family in FAMILIES for s in variants_of(family)):
        for problem in spec.workload.bench_problems:
            problem = {**problem, "dtype": spec.dtypes[0]}
            cases[f"{spec.name} {spec.workload.describe(problem)}"] = (spec.name, problem)
    return cases


def _cpu_cases() -> dict:
    """Case label -> (workload, problem) for every workload's bench problems."""
    cases = {}
    for family in FAMILIES:
        workload = get_workload(family)
        for problem in workload.bench_problems:
            cases[f"{family} {workload.describe(problem)}"] = (family, problem)
    return cases


GPU_CASES = _gpu_cases()
CPU_CASES = _cpu_cases()


class NnetGPU:
    """Device seconds of one launch (median of CUDA-event samples), default configs."""

    params = (list(GPU_CASES),)
    param_names = ["case"]
    unit = "seconds"
    timeout = 300

    def setup(self, case):
        variant, problem = GPU_CASES[case]
        self.case = kernel_case(variant, problem)

    def track_gpu_seconds(self, case):
        return self.case.measure().median


class SoftmaxTuning:
    """Block size and shared-memory row cache of the block-per-row softmax at 8192x8192."""

    params = tuple(list(get("softmax_block_row").tunable(name).values) for name in ("BLOCK", "ROW_CACHE_KB"))
    param_names = ["BLOCK", "ROW_CACHE_KB"]
    unit = "seconds"
    timeout = 300

    def setup(self, block, row_cache_kb):
        self.case = kernel_case("softmax_block_row", {"rows": 8192, "cols": 8192},
                                {"BLOCK": block, "ROW_CACHE_KB": row_cache_kb})

    def track_gpu_seconds(self, block, row_cache_kb):
        return self.case.measure().median


class NnetCPU:
    """Host code (Cython, OpenMP) against NumPy."""

    params = (list(CPU_CASES), ["hostcode", "numpy"])
    param_names = ["case", "impl"]
    timeout = 300

    def setup(self, case, impl):
        family, problem = CPU_CASES[case]
        self.case = host_case(family, problem, impl)

    def time_op(self, case, impl):
        self.case.run()
