"""Verification of one configuration: the tuned problem and every awkward size, outputs poisoned.

A configuration is only ranked once it matches the NumPy reference everywhere it was run
(:func:`warpbench.check.check_problem`: outputs poisoned before each launch, so an element
it forgot to write fails). A wrong answer, a failed compile or launch, or any other error
of the configuration is returned as its failure; nothing here stops the run. With
``count_memory`` the tuned problem's check runs through the device's memory counters
(the emulator's instrumented build computes the same results), so the one run that
verifies the configuration there also measures what the ``model`` objective needs.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from warpbench.check import check_against
from warpbench.errors import WarpbenchError
from warpbench.kernels.spec import KernelSpec, Problem


@dataclass(frozen=True)
class Verdict:
    """Whether a configuration computed every problem right, the worst absolute error and,
    when it did not, the first failure; ``kernel`` is the compiled kernel (None if none);
    ``counters`` the memory counters of the tuned problem's launch when they were asked for."""

    ok: bool
    max_error: float | None
    message: str
    kernel: object = None
    counters: dict | None = None


def verification_problems(spec: KernelSpec, problem: Problem) -> list[Problem]:
    """The tuned problem, then the workload's awkward check problems of its dtype."""
    dtype = problem.get("dtype")
    awkward = [p for p in spec.workload.check_problems if p.get("dtype", dtype) == dtype and p != problem]
    return [problem, *awkward]


class References:
    """The inputs and reference outputs of each problem, computed once for the whole run
    (a 4096-cubed GEMM reference in float64 takes seconds)."""

    def __init__(self, spec: KernelSpec, problems: list[Problem], seed: int = 0):
        self.spec, self.problems, self.seed = spec, problems, seed
        self._made: dict[int, tuple[dict, dict]] = {}

    def __getitem__(self, index: int) -> tuple[dict, dict]:
        if index not in self._made:
            workload, problem = self.spec.workload, self.problems[index]
            inputs = workload.make_inputs(problem, np.random.default_rng(self.seed))
            self._made[index] = (inputs, workload.reference(problem, inputs))
        return self._made[index]


def verify(device, spec: KernelSpec, config: dict, references: References, count_memory: bool = False) -> Verdict:
    """Compile ``spec`` under ``config`` on ``device`` and check it at each problem of ``references``
    (the first one through ``device.memory_counters`` with ``count_memory``)."""
    try:
        kernel = device.compile(spec, config)
    except WarpbenchError as exc:
        return Verdict(False, None, f"compile: {exc}")
    worst, counters = 0.0, None
    for index, problem in enumerate(references.problems):
        try:
            check = partial(check_against, kernel, problem, *references[index])
            if index == 0 and count_memory:
                result, counters = device.memory_counters(check)
            else:
                result = check()
        except (WarpbenchError, ArithmeticError, MemoryError, ValueError) as exc:
            return Verdict(False, worst or None, f"at {spec.workload.describe(problem)}: {type(exc).__name__}: {exc}",
                           kernel)
        worst = max(worst, result.max_abs_err)
        if not result.ok:
            return Verdict(False, worst, f"wrong at {result.problem}: {result.message}", kernel)
    return Verdict(True, worst, "", kernel, counters)
