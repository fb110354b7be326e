"""Racecheck and initcheck raise nothing on any registry kernel (no false alarm), at its smallest
check problem with output (the first build of the instrumented modules dominates the time)."""
import pytest

from warpbench.check import check_problem, problems_for
from warpbench.emu import instrument
from warpbench.kernels import select
from warpbench.runtime import get_device


@pytest.mark.slow
def test_racecheck_and_initcheck_have_no_false_alarm_on_the_registry():
    device = get_device("emu")
    failures = []
    for spec in select([]):
        kernel = device.compile(spec, {})
        problem = min((p for p in problems_for(kernel) if kernel.workload.bytes_moved(p) > 0),
                      key=kernel.workload.bytes_moved)
        with instrument.session(metrics=False, racecheck=True, initcheck=True) as running:
            result = check_problem(kernel, problem)
        if not result.ok:
            failures.append(f"{spec.name}: {result.message}")
        assert running.launches, f"{spec.name}: no launch ran instrumented"
    assert not failures, "\n".join(failures)
