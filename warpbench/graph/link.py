"""Linking and running: a storage cell per variable, a thunk per node, and the loop over them.

As in Theano's ``map_storage`` + CVM: every variable gets a 1-element list (a "cell")
that acts as a pointer; a node's thunk reads its input cells and writes its output
cells. Constants' cells hold their data, a shared variable's cell is its own container.
Each node runs inside an NVTX range named after it (domain ``warpbench``, category
``graph``); intermediate values are dropped as soon as their last reader has run.

Linking prepares everything once (thunks, cells, ranges) for the Cython loop
(``warpbench.hostcode.vm``), which runs a call without Python frames. This module is its
slow path: the first call, and every call whose input or shared shapes changed, runs
each node after a shape check by its ``infer_shape`` (and checks its outputs
against it: shape.py learns shapes from it without running nodes); failures are reported here, naming
the node; ``profile=True`` and ``WARPBENCH_DEBUG>=2`` run every call this way.
"""
from __future__ import annotations

import functools
import time
from typing import Callable

import numpy as np

from warpbench import config
from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph.basic import Apply, Constant, Variable
from warpbench.graph.c_op import c_thunk, runs_c_code
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.op import Op, device_kernel_of
from warpbench.graph.profiling import ProfileStats
from warpbench.graph.shape import check_inferred
from warpbench.graph.shared import SharedVariable
from warpbench.graph.transfer import placement
from warpbench.graph.type import describe_value
from warpbench.hostcode import vm
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
    if runs_c_code(node.op):
        return "c_code"
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
    every other node (transfers included) runs its op's host implementation: its C code,
    compiled now, when it has some and no ``perform_host``.
    """
    if device.graph_placement is not None and placement(node) == device.graph_placement:
        request = device_kernel_of(node)
        if request is None:
            raise WarpbenchError(f"{node.op} runs on {device.graph_placement} (its outputs live there) but "
                                 f"{type(node.op).__name__}.device_kernel gives no kernel for it")
        kernel = device.compile(request)
        return functools.partial(node.op.perform_device, node, kernel), kernel
    thunk = node.op.make_thunk(node, device)
    if thunk is not None:
        return thunk, None
    if runs_c_code(node.op):
        return c_thunk(node), None
    return functools.partial(node.op.perform_host, node), None


def copier(var: Variable) -> Callable:
    """A function copying a value of ``var``'s type where it lives (host or device memory)."""
    if var.type.device is None:
        return np.array
    from warpbench.runtime import get_device
    device = get_device(var.type.device)

    def copy(value):
        out = device.empty(value.shape, value.dtype)
        device.copy_device_to_device(out, value)
        return out
    return copy


class Loop:
    """A linked function graph: ``core`` (a ``vm.VM``) runs it, ``core.call(args)``, through
    ``wrapper(args)`` when profiling (see the module docstring).

    ``n_outputs`` of ``fg.outputs`` are returned (the only one when ``single``), the rest
    are the new values of the shared variables ``targets``, in order.
    """

    def __init__(self, fg: FunctionGraph, device, *, name: str = "function", n_outputs: int | None = None,
                 single: bool = False, targets=(), profile: bool = False, allow_downcast: bool = False):
        self.fgraph, self.device, self.name = fg, device, name
        self.allow_downcast = allow_downcast
        self.synchronize = profile or config.DEBUG >= 2
        self.order = fg.toposort()
        self.storage = map_storage(fg, self.order)
        self.steps = self._link()
        self.profile = ProfileStats(name, device.kind, self.order) if profile else None
        n_outputs = len(fg.outputs) if n_outputs is None else n_outputs
        shared = [v for v in self.storage if isinstance(v, SharedVariable)]
        inputs = [self.storage[v] for v in fg.inputs]
        self._node_cells = [cell for step in self.steps for cell in step.outputs]
        self._copiers = [copier(v) for v in fg.outputs]
        self.core = vm.VM(
            self, self.steps, input_cells=inputs, input_types=[v.type for v in fg.inputs],
            leaf_cells=inputs + [v.container for v in shared],
            output_cells=[self.storage[v] for v in fg.outputs],
            copiers=[None if v.owner is not None else c for v, c in zip(fg.outputs, self._copiers)],
            cleared=inputs + [self.storage[v] for v in fg.outputs if v.owner is not None],
            shared=[v.base for v in shared], places=[v.type.device for v in shared],
            targets=list(targets), target_places=[v.type.device for v in fg.outputs[n_outputs:]],
            n_outputs=n_outputs, single=single, always_checked=self.synchronize)
        self.wrapper = self._profiled_call if profile else None
        config.debug(1, f"graph: linked {len(self.steps)} nodes for {device.kind}, "
                        f"{sum(s.kernel is not None for s in self.steps)} of them kernels")

    def _link(self) -> list:
        last_reader = {var: i for i, node in enumerate(self.order) for var in node.inputs}
        kept = set(self.fgraph.outputs)
        steps = []
        for i, node in enumerate(self.order):
            try:
                run, kernel = implementation(node, self.device)
            except Exception as exc:
                raise node_error(node, i, None, exc) from None
            # An output nobody reads is freed at once, so that every node output is None
            # when a call starts (how the loop sees an output a thunk did not set).
            frees = [self.storage[v] for v in dict.fromkeys(node.inputs)
                     if v.owner is not None and v not in kept and last_reader[v] == i]
            frees += [self.storage[v] for v in node.outputs if v not in kept and v not in last_reader]
            steps.append(vm.Step(i, node, str(node), run, kernel, [self.storage[v] for v in node.inputs],
                                 [self.storage[v] for v in node.outputs], frees,
                                 node_range(node, i)))
        return steps

    def _profiled_call(self, args):
        start = time.perf_counter()
        results = self.core.call(args)
        self.profile.record_call(time.perf_counter() - start)
        return results

    # -- the slow path, called by the Cython loop -----------------------------------------

    def run_checked(self) -> None:
        """Run every node after its shape check; mark the nodes that must keep the check
        (some input shape is not fixed by the leaf shapes: an op upstream did not say)."""
        known = set()
        for step in self.steps:
            shapes = self.run_step(step)
            fixed = all(v.owner is None or v in known for v in step.node.inputs)
            step.checked = not fixed
            if fixed and shapes is not None and len(shapes) == len(step.outputs) \
                    and all(s is not None for s in shapes):
                known.update(step.node.outputs)

    def run_step(self, step) -> list | None:
        """Run one node after its ``infer_shape``; return the shapes that gave."""
        values = [cell[0] for cell in step.inputs]
        with step.range:
            start = time.perf_counter()
            try:
                shapes = step.node.op.infer_shape(step.node, [v.shape for v in values])
                step.run(values, step.outputs)
                check_outputs_set(step.node, performer(step.node, step.kernel), step.outputs)
                if shapes is not None:
                    check_inferred(step.node, shapes, step.outputs)
                if self.synchronize:
                    # Kernel launches return before the kernel ends.
                    self.device.synchronize()
            except Exception as exc:
                raise node_error(step.node, step.index, values, exc) from None
        seconds = time.perf_counter() - start
        config.debug(2, f"graph: node {step.index} {step.name} on {placement(step.node)}: {seconds:.6f}s")
        if self.profile is not None:
            self.profile.record_node(step.index, seconds, step.outputs)
        for cell in step.frees:
            cell[0] = None
        return shapes

    def fail(self, step, values: list, exc: BaseException | None) -> None:
        """Raise what the failure ``exc`` of ``step`` (None: an output left unset) means."""
        if exc is None:
            try:
                check_outputs_set(step.node, performer(step.node, step.kernel), step.outputs)
            except WarpbenchError as unset:
                exc = unset
        if not isinstance(exc, Exception):
            raise exc
        raise node_error(step.node, step.index, values, exc) from None

    def reset(self) -> None:
        """After a failed call: empty every input and node output cell."""
        for var in self.fgraph.inputs:
            self.storage[var][0] = None
        for cell in self._node_cells:
            cell[0] = None

    def filter_input(self, index: int, value):
        """Argument ``index`` converted to its input's type, or a one-line error naming it."""
        var = self.fgraph.inputs[index]
        try:
            return var.type.filter(value, allow_downcast=self.allow_downcast)
        except (ShapeError, DTypeError) as exc:
            raise type(exc)(f"{self.name}: input {index} ({var}) {exc}") from None

    def wrong_count(self, given: int) -> None:
        """WarpbenchError: ``given`` arguments for this many inputs."""
        names = ", ".join(map(str, self.fgraph.inputs)) or "none"
        raise WarpbenchError(f"{self.name}: takes {len(self.fgraph.inputs)} input(s) ({names}), got {given}")

    def copy_output(self, index: int, value):
        """A copy of ``value``, output ``index``, which an earlier output already hands out."""
        return self._copiers[index](value)
