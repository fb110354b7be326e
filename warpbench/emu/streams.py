"""Streams, events and page-locked host memory as PyCUDA names them.

Launches and copies on the emulator finish before they return, so a stream is ordered
execution that is always done, and an event records the host's wall clock: ``time_since``
gives *emulated* milliseconds (the CPU time the emulator took), not GPU time.
"""
from __future__ import annotations

import time

import numpy as np

from warpbench.errors import ConfigError


class Stream:
    """Ordered execution: every operation given this stream has completed on return."""

    def __init__(self, flags: int = 0):
        self.flags = flags

    def synchronize(self) -> None:
        """Nothing pending."""

    def is_done(self) -> bool:
        """Always True."""
        return True

    def wait_for_event(self, event: "Event") -> None:
        """Events are complete when recorded."""


class Event:
    """A point in the host's wall-clock time, recorded by :meth:`record`."""

    def __init__(self, flags: int = 0):
        self.flags = flags
        self._seconds: float | None = None

    def record(self, stream: Stream | None = None) -> "Event":
        """Take the time now (every earlier launch has finished)."""
        self._seconds = time.perf_counter()
        return self

    def synchronize(self) -> "Event":
        """Nothing to wait for."""
        return self

    def query(self) -> bool:
        """True: recorded events are complete."""
        return True

    def _time(self) -> float:
        if self._seconds is None:
            raise ConfigError("Event was never recorded: call record() before timing with it")
        return self._seconds

    def time_since(self, earlier: "Event") -> float:
        """Milliseconds of emulated wall time from ``earlier`` to this event."""
        return (self._time() - earlier._time()) * 1e3

    def time_till(self, later: "Event") -> float:
        """Milliseconds of emulated wall time from this event to ``later``."""
        return later.time_since(self)


def pagelocked_empty(shape, dtype, order: str = "C", mem_flags: int = 0) -> np.ndarray:
    """A plain numpy array: host memory needs no pinning here."""
    return np.empty(shape, dtype, order=order)


def pagelocked_zeros(shape, dtype, order: str = "C", mem_flags: int = 0) -> np.ndarray:
    """A plain numpy array of zeros."""
    return np.zeros(shape, dtype, order=order)


def pagelocked_empty_like(array: np.ndarray, mem_flags: int = 0) -> np.ndarray:
    """A plain numpy array like ``array``."""
    return np.empty_like(array)


def pagelocked_zeros_like(array: np.ndarray, mem_flags: int = 0) -> np.ndarray:
    """A plain numpy array of zeros like ``array``."""
    return np.zeros_like(array)


def register_host_memory(array: np.ndarray, flags: int = 0) -> np.ndarray:
    """The array itself: nothing to register."""
    return array


def aligned_empty(shape, dtype, order: str = "C", alignment: int = 4096) -> np.ndarray:
    """A plain numpy array (numpy's alignment suffices here)."""
    return np.empty(shape, dtype, order=order)


def aligned_zeros(shape, dtype, order: str = "C", alignment: int = 4096) -> np.ndarray:
    """A plain numpy array of zeros."""
    return np.zeros(shape, dtype, order=order)
