"""Linking and running: a storage cell per variable, a thunk per node, and the loop over them.

As in Theano's ``map_storage`` + ``Loop`` VM: every variable gets a 1-element list (a
"cell") that acts as a pointer; a node's thunk reads its input cells and writes its
output cells. Constants' cells hold their data, a shared variable's cell is its own
container. Each node runs inside an NVTX range named after it (domain ``warpbench``,
category ``graph``), after a shape check by its ``infer_shape``; intermediate values
are dropped as soon as their last reader has run.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from warpbench import config
from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph.basic import Apply, Constant, Variable
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.op import Op
from warpbench.graph.shared import SharedVariable
from warpbench.graph.transfer import GpuFromHost, HostFromGpu, placement
from warpbench.graph.type import describe_value
from warpbench.trace import node_range


def node_error(node: Apply, index: int | None, values, exc: BaseException) -> BaseException:
    """What to raise when ``node`` failed with ``exc``: a one-line warpbench error naming the
    node, its toposort index, where it runs, where it was built, and its input values.

    A warpbench error keeps its class and fields, its message gains the node (as Theano's
    ``raise_with_op`` does); NumPy's ValueError/IndexError and TypeError become
    ShapeError and DTypeError; anything else is a bug, re-raised as is with a note.
    """
    where = f"toposort index {index}, " if index is not None else ""
    where += f"on {placement(node)}" + (f", built at {node.trace}" if node.trace else "")
    if not isinstance(exc, (WarpbenchError, ValueError, IndexError, TypeError)):
        if hasattr(exc, "add_note"):
            exc.add_note(f"while running {node} [{where}]")
        return exc
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    shown = "" if values is None else "; inputs: " + ", ".join(
        f"{var} {describe_value(value)}" for var, value in zip(node.inputs, values))
    message = f"{node} [{where}]: {reason}{shown}"
    if isinstance(exc, WarpbenchError):
        exc.args = (message,)
        return exc
    return (DTypeError if isinstance(exc, TypeError) else ShapeError)(message)


def check_outputs_set(node: Apply, method: str, output_storage: list[list]) -> None:
    """WarpbenchError naming each output that ``node.op.<method>`` did not set (its cell is
    still None): left alone, the next node would fail on a None input and be blamed."""
    unset = [i for i, cell in enumerate(output_storage) if cell[0] is None]
    if unset:
        shown = ", ".join(f"{i} ({node.outputs[i]})" for i in unset)
        raise WarpbenchError(f"{type(node.op).__name__}.{method} set no value for output {shown}: "
                             f"output_storage[{unset[0]}][0] is still None")


def performer(node: Apply, kernel) -> str:
    """The name of the op method a step calls: the one the op's author wrote."""
    if kernel is not None:
        return "perform_device"
    return "perform_host" if type(node.op).perform_host is not Op.perform_host else "perform"


def map_storage(fg: FunctionGraph, order: list[Apply]) -> dict[Variable, list]:
    """A cell for every variable of ``fg``: constants hold their data, shared variables their container."""
    storage: dict[Variable, list] = {v: [None] for v in fg.inputs}

    def cell(var):
        if isinstance(var, SharedVariable):
            return var.container
        return [var.data] if isinstance(var, Constant) else [None]

    for node in order:
        for var in node.inputs:
            if var not in storage:
                storage[var] = cell(var)
        storage.update((out, [None]) for out in node.outputs)
    for var in fg.outputs:
        if var not in storage:
            storage[var] = cell(var)
    return storage


def implementation(node: Apply, device) -> tuple[Callable[[list, list], None], object]:
    """The function running ``node`` and the compiled kernel it launches (None on the host).

    A node lifted to ``device`` (placed on its ``graph_placement``) runs its op's kernel;
    every other node (transfers included) runs its op's host implementation.
    """
    if device.graph_placement is not None and placement(node) == device.graph_placement:
        kernel = device.compile(node.op.device_kernel(node))
        return functools.partial(node.op.perform_device, node, kernel), kernel
    return functools.partial(node.op.perform_host, node), None


@dataclass
class Step:
    """One node ready to run: its thunk and its cells."""

    index: int
    node: Apply
    name: str
    run: Callable[[list, list], None]
    kernel: object  # the compiled Kernel the node launches, None for host nodes
    inputs: list[list]
    outputs: list[list]
    #: Input cells whose last reader is this node: emptied after it runs.
    frees: list[list]


@dataclass
class Profile:
    """Per-node calls, seconds (device synchronized after each node) and bytes transferred."""

    calls: list[int]
    seconds: list[float]
    transfer_bytes: list[int]


class Loop:
    """Theano's Loop VM: run every node in toposort order over the storage map.

    With ``profile`` (or ``WARPBENCH_DEBUG>=2``) the device is synchronized after each
    node, so that times and asynchronous kernel errors belong to the node that caused them.
    """

    def __init__(self, fg: FunctionGraph, device, profile: bool = False):
        self.device = device
        self.synchronize = profile or config.DEBUG >= 2
        self.order = fg.toposort()
        self.storage = map_storage(fg, self.order)
        last_reader = {var: i for i, node in enumerate(self.order) for var in node.inputs}
        kept = set(fg.outputs)
        self.steps = []
        for i, node in enumerate(self.order):
            try:
                run, kernel = implementation(node, device)
            except Exception as exc:
                raise node_error(node, i, None, exc) from None
            frees = [self.storage[v] for v in dict.fromkeys(node.inputs)
                     if v.owner is not None and v not in kept and last_reader[v] == i]
            self.steps.append(Step(i, node, str(node), run, kernel, [self.storage[v] for v in node.inputs],
                                   [self.storage[v] for v in node.outputs], frees))
        n = len(self.steps)
        self.profile = Profile([0] * n, [0.0] * n, [0] * n) if profile else None
        config.debug(1, f"graph: linked {n} nodes for {device.kind}, "
                        f"{sum(s.kernel is not None for s in self.steps)} of them kernels")

    def __call__(self) -> None:
        """Run every node once; the results are left in the output cells."""
        for step in self.steps:
            values = [cell[0] for cell in step.inputs]
            with node_range(step.node, step.index):
                start = time.perf_counter()
                try:
                    step.node.op.infer_shape(step.node, [v.shape for v in values])
                    for cell in step.outputs:
                        cell[0] = None  # a value left from the previous call must not pass for this one's
                    step.run(values, step.outputs)
                    check_outputs_set(step.node, performer(step.node, step.kernel), step.outputs)
                    if self.synchronize:
                        # Kernel launches return before the kernel ends.
                        self.device.synchronize()
                except Exception as exc:
                    raise node_error(step.node, step.index, values, exc) from None
            seconds = time.perf_counter() - start
            config.debug(2, f"graph: node {step.index} {step.name} on {placement(step.node)}: {seconds:.6f}s")
            if self.profile is not None:
                self._record(step, seconds)
            for cell in step.frees:
                cell[0] = None

    def _record(self, step: Step, seconds: float) -> None:
        self.profile.calls[step.index] += 1
        self.profile.seconds[step.index] += seconds
        if isinstance(step.node.op, (GpuFromHost, HostFromGpu)):
            value = step.outputs[0][0]
            self.profile.transfer_bytes[step.index] += np.dtype(value.dtype).itemsize * math.prod(value.shape)
