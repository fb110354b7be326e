"""Benchmarking a :class:`warpbench.bench.cases.Case` with pytest-benchmark, in the device's own time.

The measured value is what the device's clock says (CUDA events on cuda, the wall clock on the
host), so ``--benchmark-compare``, ``--benchmark-compare-fail`` and the histograms compare GPU
time, not the wall clock around a launch. Every record carries the case's bytes and FLOPs (and,
once timed, GB/s and GFLOP/s at the median) in ``extra_info``. Under ``--benchmark-disable``
the case runs once; either way its result is checked against NumPy.
"""


def time_case(benchmark, case, group: str, rounds: int | None = None, warmup_rounds: int = 3) -> None:
    """Time ``case`` under ``group``: calibrated by pytest-benchmark, or ``rounds`` single launches
    (each after an L2 flush where the device has one), then verify the result."""
    benchmark.extra_info.update(case.extra_info())
    time_step(benchmark, case, group, rounds, warmup_rounds)
    if benchmark.enabled:
        median = benchmark.stats.stats.median
        benchmark.extra_info.update(gbs=case.bytes_moved / median / 1e9, gflops=case.flops / median / 1e9)
    case.verify()


def time_step(benchmark, step, group: str, rounds: int | None = None, warmup_rounds: int = 3) -> None:
    """Time a :class:`warpbench.bench.cases.TimedStep` under ``group`` in its device's clock, as
    :func:`time_case` does, without a result to verify; the device is recorded in ``extra_info``."""
    benchmark.group = group
    benchmark.extra_info.setdefault("device", step.device.kind)
    # pytest-benchmark takes one timer for the session (--benchmark-timer); a case needs its
    # device's clock, and the fixture reads its timer from this attribute.
    benchmark._timer = step.clock()
    if rounds is None:
        benchmark(step.launch)
    else:
        benchmark.pedantic(step.launch, setup=_setup(step.device.l2_flusher()), rounds=rounds,
                           warmup_rounds=warmup_rounds)


def _setup(flush):
    """``flush`` as pytest-benchmark's ``setup``, whose return value it would take for arguments."""
    if flush is None:
        return None

    def setup():
        flush()
    return setup
