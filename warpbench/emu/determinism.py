"""Schedule-perturbation checking: a race-free kernel gives the same outputs under every
legal schedule, so a difference between thread orders, block orders or poison patterns
proves a missing barrier, an inter-block race or a read of uninitialised memory.

Whole barrier intervals run without interleaving, so a lost update (``c = c + 1`` by many
threads) stays invisible to this check. Buffers hit by float atomics are compared with a
tolerance, as their sums depend on the order of the additions. Outputs whose order is free
by design (a compaction through atomic slots) are named in ``unordered`` and compared as
multisets of their rows; ``compare`` gives a buffer its own equality test.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from warpbench.emu.errors import NondeterministicResult
from warpbench.errors import ConfigError
from warpbench.emu.memory import DeviceArray

THREAD_ORDERS = ("forward", "reverse", "random:1")
BLOCK_ORDERS = ("forward", "reverse", "random:2")
POISONS = (0xFF, 0x00)


@dataclass(frozen=True)
class BufferDifference:
    """Where one output buffer first differed from the reference run."""
    param_index: int
    param_name: str
    count: int                  # elements that differ
    size: int
    first_index: tuple[int, ...]
    reference: str              # schedule of the reference run
    other: str                  # schedule of the first run that differed
    reference_value: object
    other_value: object
    unwritten: bool             # both values are the runs' poison: the kernel never wrote there
    compared: str = "bitwise"   # "bitwise", "as a multiset of rows" or "by the given compare function"

    def describe(self) -> str:
        """One line: which buffer, how many elements, first index, both values."""
        why = " (never written: the values are the poison patterns)" if self.unwritten else ""
        how = {"bitwise": "", "as a multiset of rows": " (compared as a multiset of rows; indices after sorting)"
               }.get(self.compared, f" (compared {self.compared})")
        return (f"parameter {self.param_index} '{self.param_name}': {self.count} of {self.size} elements "
                f"differ, first at index {self.first_index}: {self.reference_value!r} under {self.reference} "
                f"vs {self.other_value!r} under {self.other}{why}{how}")


@dataclass
class DeterminismReport:
    """Result of :func:`check_determinism`; ``identical`` is True when no output differed."""
    kernel: str
    schedules: list[str]
    differences: list[BufferDifference] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        """No output buffer differed between schedules."""
        return not self.differences

    def summary(self) -> str:
        """One line per differing buffer, or a line saying all runs agreed."""
        if self.identical:
            return f"kernel '{self.kernel}': identical outputs under {len(self.schedules)} schedules"
        return "; ".join(d.describe() for d in self.differences)

    def raise_if_different(self) -> None:
        """Raise NondeterministicResult naming the kernel and the differing buffers."""
        if not self.identical:
            raise NondeterministicResult(
                f"kernel '{self.kernel}' gives schedule-dependent results (race, missing barrier or "
                f"uninitialised read): {self.summary()}", kernel=self.kernel, report=self)


def _arrays(args) -> list[tuple[int, DeviceArray]]:
    seen, result = set(), []
    for index, arg in enumerate(args):
        if isinstance(arg, DeviceArray) and id(arg) not in seen:
            seen.add(id(arg))
            result.append((index, arg))
    return result


def _differing(reference: np.ndarray, other: np.ndarray, tolerant: bool, rtol: float) -> np.ndarray:
    """Boolean mask of elements that differ (bitwise, or beyond ``rtol`` when tolerant)."""
    if tolerant and np.issubdtype(reference.dtype, np.floating):
        scale = float(np.nanmax(np.abs(reference))) if reference.size and np.isfinite(reference).any() else 0.0
        close = np.isclose(reference, other, rtol=rtol, atol=rtol * scale, equal_nan=True)
        return ~close
    width = reference.dtype.itemsize
    a = reference.reshape(-1).view(np.uint8).reshape(-1, width) if reference.size else reference
    b = other.reshape(-1).view(np.uint8).reshape(-1, width) if other.size else other
    return (a != b).any(axis=1).reshape(reference.shape) if reference.size else np.zeros(reference.shape, bool)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.tobytes() == b.tobytes()


def _is_poison(value: np.ndarray, byte: int) -> bool:
    return bool((value.reshape(-1).view(np.uint8) == byte).all())


@dataclass(frozen=True)
class _Run:
    label: str
    poison: int
    outputs: dict          # parameter index -> copy of the array after the launch


def _sorted_rows(values: np.ndarray) -> np.ndarray:
    """The rows (first axis) of ``values`` in a canonical order, compared by their bytes."""
    if values.ndim == 0 or values.size == 0:
        return values
    rows = np.ascontiguousarray(values).reshape(values.shape[0], -1)
    keys = rows.view(np.uint8).reshape(rows.shape[0], -1)
    order = np.lexsort(keys.T[::-1]) if keys.shape[1] else np.arange(rows.shape[0])
    return values[order]


def _difference(name: str, index: int, reference: _Run, run: _Run, tolerant: bool, rtol: float,
                uninitialized: bool, how) -> BufferDifference | None:
    ref, out = reference.outputs[index], run.outputs[index]
    compared = "bitwise"
    if how == "rows":
        ref, out, compared = _sorted_rows(ref), _sorted_rows(out), "as a multiset of rows"
    mask = _differing(ref, out, tolerant, rtol)
    if callable(how):
        if how(ref.copy(), out.copy()):
            return None
        compared = "by the given compare function"
        mask = mask if mask.any() else np.ones(ref.shape, bool)
    if not mask.any():
        return None
    first = tuple(int(i) for i in np.argwhere(mask)[0]) if mask.ndim else ()
    unwritten = uninitialized and _is_poison(ref[first], reference.poison) and _is_poison(out[first], run.poison)
    return BufferDifference(index, name, int(mask.sum()), int(mask.size), first, reference.label, run.label,
                            ref[first].item(), out[first].item(), unwritten, compared)


def _comparisons(function, unordered, compare) -> dict[int, object]:
    """Parameter index -> "rows" or a callable, from names or indices; ConfigError for an unknown one."""
    names = list(function.param_names)
    result = {}
    for spec, how in [(p, "rows") for p in (unordered or ())] + [(p, (f,)) for p, f in (compare or {}).items()]:
        if isinstance(spec, str) and spec in names:
            index = names.index(spec)
        elif isinstance(spec, int) and 0 <= spec < len(names):
            index = spec
        else:
            raise ConfigError(f"check_determinism of kernel '{function.name}': no parameter {spec!r} "
                              f"(parameters: {', '.join(names)})")
        if how != "rows" and not callable(how[0]):
            raise ConfigError(f"check_determinism of kernel '{function.name}': compare[{spec!r}] must be a "
                              f"callable(reference, other) -> bool, not {type(how[0]).__name__}")
        result[index] = how if how == "rows" else how[0]
    return result


def check_determinism(function, *args, grid, block, shared: int = 0, thread_orders=THREAD_ORDERS,
                      block_orders=BLOCK_ORDERS, poisons=POISONS, rtol: float = 1e-4,
                      watchdog: float | None = None, time_limit: float | None = None, unordered=(),
                      compare=None) -> DeterminismReport:
    """Launch ``function`` once per (poison, thread order, block order), each time from the
    same initial contents (uninitialised arrays refilled with the poison byte), and compare
    every array argument with the first run. Afterwards the arrays hold the first run's
    results. ``unordered``: parameters (names or indices) whose rows may come in any order,
    compared as multisets (e.g. ``unordered=["out"]`` for an atomic-slot compaction);
    ``compare``: ``{parameter: callable(reference, other) -> bool}`` for any other notion
    of equal. Returns a DeterminismReport (see ``raise_if_different``)."""
    comparisons = _comparisons(function, unordered, compare)
    arrays = _arrays(args)
    initial = {index: (array.data.copy(), array.uninitialized) for index, array in arrays}
    schedules = list(itertools.product(poisons, thread_orders, block_orders))
    report = DeterminismReport(function.name, [f"{t}/{b} poison 0x{p:02X}" for p, t, b in schedules])
    reference: _Run | None = None
    tolerant, written, everything_tolerant = set(), set(), False
    differing: dict[int, BufferDifference] = {}
    for (poison, thread_order, block_order), label in zip(schedules, report.schedules):
        for index, array in arrays:
            data, uninitialized = initial[index]
            if uninitialized:
                array.poison(poison)
            else:
                array.data[...] = data
        before = {index: array.data.copy() for index, array in arrays}
        outcome = function.launch(args, grid=grid, block=block, shared=shared, thread_order=thread_order,
                                  block_order=block_order, poison=poison, watchdog=watchdog,
                                  time_limit=time_limit)
        tolerant |= outcome.float_atomic_params
        everything_tolerant |= outcome.float_atomics_elsewhere
        run = _Run(label, poison, {index: array.data.copy() for index, array in arrays})
        written |= {index for index in run.outputs if not _same_bits(before[index], run.outputs[index])}
        if reference is None:
            reference = run
            continue
        for index, _ in arrays:
            if index not in differing:
                found = _difference(function.param_names[index], index, reference, run,
                                    everything_tolerant or index in tolerant, rtol, initial[index][1],
                                    comparisons.get(index))
                if found:
                    differing[index] = found
    # An array no run wrote is an input: it differs only by the poison this check put there.
    report.differences = [differing[i] for i in sorted(differing) if i in written]
    for index, array in arrays:
        array.data[...] = reference.outputs[index]
        array.uninitialized = False
    return report
