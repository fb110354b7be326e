"""Check kernels against their NumPy references at awkward problem sizes.

Outputs are poisoned before each launch (NaN for floats, the most negative value for
integers), so an element the kernel forgot to write fails the comparison instead of
passing by luck. Used by ``warpbench check``, ``warpbench run`` and the test suite.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from warpbench.errors import WarpbenchError
from warpbench.kernels.spec import Problem, Workload
from warpbench.runtime.kernel import Kernel


@dataclass
class Comparison:
    """How one output compares with its reference."""

    ok: bool
    max_abs_err: float = 0.0
    max_rel_err: float = 0.0
    bad: int = 0
    first_bad: tuple | None = None
    message: str = ""


@dataclass
class CheckResult:
    """One kernel on one problem: pass/fail, worst errors and, on failure, why."""

    kernel: str
    problem: str
    ok: bool
    max_abs_err: float = 0.0
    max_rel_err: float = 0.0
    message: str = ""
    outputs: dict = field(default_factory=dict)


def poison_value(dtype):
    """The fill that marks an element as never written."""
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.floating):
        return np.nan
    return np.iinfo(dtype).min


def compare(name: str, expected: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> Comparison:
    """Compare ``got`` with ``expected`` elementwise (NaN only matches NaN)."""
    expected, got = np.asarray(expected), np.asarray(got)
    if expected.shape != got.shape:
        return Comparison(False, message=f"{name}: shape {got.shape}, expected {expected.shape}")
    if expected.size == 0:
        return Comparison(True)
    if np.issubdtype(expected.dtype, np.integer):
        bad_mask = expected != got
        abs_err = np.abs(expected.astype(np.int64) - got.astype(np.int64)).astype(np.float64)
    else:
        e64, g64 = expected.astype(np.float64), got.astype(np.float64)
        bad_mask = ~np.isclose(g64, e64, rtol=rtol, atol=atol, equal_nan=True)
        with np.errstate(invalid="ignore"):
            abs_err = np.abs(g64 - e64)
        abs_err = np.where(np.isnan(g64) != np.isnan(e64), np.inf, np.nan_to_num(abs_err, nan=0.0))
    scale = np.maximum(np.abs(expected.astype(np.float64)), 1e-30)
    max_abs = float(abs_err.max())
    max_rel = float((abs_err / scale).max())
    bad = int(bad_mask.sum())
    if not bad:
        return Comparison(True, max_abs, max_rel)
    first = tuple(int(i) for i in np.argwhere(bad_mask)[0])
    unwritten = int(np.isnan(got).sum()) if np.issubdtype(got.dtype, np.floating) else 0
    detail = f", {unwritten} never written (still poisoned)" if unwritten else ""
    message = (f"{name}: {bad} of {expected.size} elements wrong{detail}; first at {first}: "
               f"got {got[first].item()!r}, expected {expected[first].item()!r}")
    return Comparison(False, max_abs, max_rel, bad, first, message)


def device_buffers(device, workload: Workload, problem: Problem, inputs: dict) -> dict:
    """Every buffer parameter on ``device``: the inputs copied, the outputs poisoned."""
    buffers = {n: device.to_device(a) for n, a in inputs.items()}
    for name, (shape, dtype) in workload.output_shapes(problem).items():
        if name not in buffers:
            buffers[name] = device.empty(shape, dtype, fill=poison_value(dtype))
    return buffers


def check_problem(kernel: Kernel, problem: Problem, seed: int = 0) -> CheckResult:
    """Run ``kernel`` on one problem with poisoned outputs and compare with the reference."""
    workload: Workload = kernel.workload
    inputs = workload.make_inputs(problem, np.random.default_rng(seed))
    return check_against(kernel, problem, inputs, workload.reference(problem, inputs))


def check_against(kernel: Kernel, problem: Problem, inputs: dict, expected: dict) -> CheckResult:
    """Run ``kernel`` on ``inputs`` with poisoned outputs and compare with ``expected`` (the
    reference's outputs for them, computed once when many kernels are checked, as a tuner does)."""
    workload: Workload = kernel.workload
    device = kernel.device
    buffers = device_buffers(device, workload, problem, inputs)
    label = workload.describe(problem)
    try:
        kernel.launch_problem(problem, buffers)
        device.synchronize()
    except WarpbenchError as exc:
        return CheckResult(kernel.name, label, False, message=str(exc))
    rtol, atol = workload.tolerance(problem)
    result = CheckResult(kernel.name, label, True)
    for name in workload.output_names:
        got = device.to_host(buffers[name])
        result.outputs[name] = got
        cmp = compare(name, expected[name], got, rtol, atol)
        result.max_abs_err = max(result.max_abs_err, cmp.max_abs_err)
        result.max_rel_err = max(result.max_rel_err, cmp.max_rel_err)
        if not cmp.ok:
            result.ok = False
            result.message = result.message or cmp.message
    if workload.accept is not None:
        return _accepted(workload, result, expected)
    return result


def _accepted(workload: Workload, result: CheckResult, expected: dict) -> CheckResult:
    """``result`` judged by the workload's own ``accept`` instead of the elementwise tolerance."""
    try:
        verdict = workload.accept({n: expected[n] for n in workload.output_names}, dict(result.outputs))
    except Exception as exc:
        raise ConfigError(f"{workload.name}: the verify function raised {type(exc).__name__}: {exc}") from None
    result.ok = bool(verdict)
    result.message = "" if result.ok else (f"the verify function rejected the outputs"
                                           f"{' (' + result.message + ')' if result.message else ''}")
    return result


def problems_for(kernel: Kernel) -> list[Problem]:
    """The workload's check problems this kernel computes (matching dtype)."""
    return [p for p in kernel.workload.check_problems if kernel.computes(p)]


def check_kernel(kernel: Kernel, problems: list[Problem] | None = None, seed: int = 0) -> list[CheckResult]:
    """Check ``kernel`` at every awkward problem of its workload (or the given ones)."""
    return [check_problem(kernel, p, seed) for p in (problems if problems is not None else problems_for(kernel))]


def check_schedules(kernel: Kernel, problem: Problem, seed: int = 0):
    """Run one emulated launch under forward, reverse and random thread and block orders with two
    poison patterns; returns the emulator's DeterminismReport (``.identical``, ``.summary()``).

    A difference proves a missing barrier, an inter-block race or a read of memory the
    kernel never wrote. Needs a device that reorders schedules (``device.reorders_schedules``:
    the emulator) and a single-launch kernel (not a pipeline).
    """
    from warpbench.runtime.kernel import LaunchableKernel
    if not isinstance(kernel, LaunchableKernel):
        raise WarpbenchError(f"{kernel.name}: schedule checks need a single-launch kernel, not a pipeline "
                             f"or host code")
    workload = kernel.workload
    inputs = workload.make_inputs(problem, np.random.default_rng(seed))
    buffers = device_buffers(kernel.device, workload, problem, inputs)
    args = kernel.pack_args([buffers[p.name] if p.is_pointer else problem[p.name] for p in workload.params])
    return kernel.device.check_schedules(kernel, args, kernel.geometry(problem))
