"""Theano's ``ProfileStats``: where a compiled function's time goes, per op class and per node.

A function built with ``profile=True`` synchronizes the device after every node and
records, per node, calls, seconds and the bytes its transfers moved, and per call the
time of the whole call (so the share the linker itself costs shows). The first call is
kept apart: it checks every shape and may compile or upload, and would dominate the
averages. ``printing.print_profile`` formats a summary.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from warpbench.graph.basic import Apply
from warpbench.graph.transfer import GpuFromHost, HostFromGpu


@dataclass
class OpClassStats:
    """The nodes of one op class summed up: seconds, node calls, nodes, bytes transferred."""

    name: str
    seconds: float
    calls: int
    nodes: int
    transfer_bytes: int


@dataclass
class ProfileStats:
    """Calls and times of one function (``f.profile``), the first call excluded."""

    name: str
    device: str
    nodes: list[Apply]
    #: Calls counted (the first successful call is not) and their total seconds.
    calls: int = 0
    call_seconds: float = 0.0
    #: Seconds of the first successful call, None before it.
    first_call_seconds: float | None = None
    node_calls: list[int] = field(default_factory=list)
    node_seconds: list[float] = field(default_factory=list)
    transfer_bytes: list[int] = field(default_factory=list)

    def __post_init__(self):
        n = len(self.nodes)
        self.node_calls, self.node_seconds, self.transfer_bytes = [0] * n, [0.0] * n, [0] * n
        self._transfers = [isinstance(node.op, (GpuFromHost, HostFromGpu)) for node in self.nodes]

    def record_node(self, index: int, seconds: float, output_cells: list[list]) -> None:
        """Node ``index`` ran in ``seconds`` (ignored during the first call)."""
        if self.first_call_seconds is None:
            return
        self.node_calls[index] += 1
        self.node_seconds[index] += seconds
        if self._transfers[index]:
            value = output_cells[0][0]
            self.transfer_bytes[index] += np.dtype(value.dtype).itemsize * math.prod(value.shape)

    def record_call(self, seconds: float) -> None:
        """A call of the function succeeded in ``seconds``."""
        if self.first_call_seconds is None:
            self.first_call_seconds = seconds
            return
        self.calls += 1
        self.call_seconds += seconds

    @property
    def node_total(self) -> float:
        """Seconds spent inside nodes, over the counted calls."""
        return sum(self.node_seconds)

    def by_class(self) -> list[OpClassStats]:
        """One entry per op class, the most expensive first."""
        classes: dict[str, OpClassStats] = {}
        for i, node in enumerate(self.nodes):
            name = type(node.op).__name__
            entry = classes.setdefault(name, OpClassStats(name, 0.0, 0, 0, 0))
            entry.seconds += self.node_seconds[i]
            entry.calls += self.node_calls[i]
            entry.nodes += 1
            entry.transfer_bytes += self.transfer_bytes[i]
        return sorted(classes.values(), key=lambda c: -c.seconds)

    def by_node(self) -> list[int]:
        """Node indices (toposort order), the most expensive first."""
        return sorted(range(len(self.nodes)), key=lambda i: -self.node_seconds[i])
