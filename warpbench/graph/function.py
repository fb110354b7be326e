"""``function(inputs, outputs, device=...)``: compile a graph into a Python callable.

Compiling copies the graph into a FunctionGraph, rewrites it for the device (rewrite.py),
and links it (link.py). Calling filters the arguments through the inputs' types, runs
the nodes, returns NumPy arrays, then applies the updates to shared variables.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph.basic import Constant, Variable, as_variable
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.link import Loop
from warpbench.graph.rewrite import optimize
from warpbench.graph.shared import SharedVariable


def _check_inputs(name: str, inputs) -> list[Variable]:
    inputs = list(inputs)
    for index, var in enumerate(inputs):
        if not isinstance(var, Variable) or isinstance(var, (Constant, SharedVariable)):
            what = "a shared variable (shared values are implicit inputs)" if isinstance(var, SharedVariable) \
                else f"{type(var).__name__} {var}"
            raise WarpbenchError(f"{name}: input {index} must be a free variable, got {what}")
        if var in inputs[:index]:
            raise WarpbenchError(f"{name}: input {index} ({var}) is given twice")
    return inputs


def _check_updates(name: str, updates) -> list[tuple[SharedVariable, Variable]]:
    pairs = list(updates.items() if isinstance(updates, dict) else updates or ())
    checked = []
    for target, value in pairs:
        if not isinstance(target, SharedVariable):
            raise WarpbenchError(f"{name}: updates must assign shared variables, got {target}")
        value = as_variable(value, like=target)
        if value.type != target.type:
            raise DTypeError(f"{name}: update of {target} ({target.type}) has type {value.type}")
        checked.append((target, value))
    return checked


class Function:
    """A compiled graph; call it with one value per input. Build it with :func:`function`."""

    def __init__(self, inputs, outputs, device=None, updates=None, name: str | None = None,
                 profile: bool = False):
        from warpbench.runtime import get_device
        self.name = name or "function"
        self.inputs = _check_inputs(self.name, inputs)
        self._single = isinstance(outputs, Variable)
        outputs = [outputs] if self._single else list(outputs)
        self.updates = _check_updates(self.name, updates)
        self.device = get_device(device)
        fg = FunctionGraph(self.inputs, outputs + [value for _, value in self.updates])
        self.fgraph = optimize(fg, self.device.graph_placement or "cpu")
        self.n_outputs = len(outputs)
        self.vm = Loop(self.fgraph, self.device, profile=profile)

    @property
    def profile(self):
        """Per-node calls, seconds and transfer bytes (None unless built with ``profile=True``)."""
        return self.vm.profile

    def __call__(self, *args):
        if len(args) != len(self.inputs):
            names = ", ".join(map(str, self.inputs)) or "none"
            raise WarpbenchError(f"{self.name}: takes {len(self.inputs)} input(s) ({names}), got {len(args)}")
        storage = self.vm.storage
        for index, (var, value) in enumerate(zip(self.inputs, args)):
            try:
                storage[var][0] = var.type.filter(value)
            except (ShapeError, DTypeError) as exc:
                raise type(exc)(f"{self.name}: input {index} ({var}) {exc}") from None
        self.vm()
        results = []
        for var in self.fgraph.outputs:
            value = storage[var][0]
            # Never hand out an input, a constant, a shared value or the same array twice:
            # the caller may modify what it gets.
            if var.owner is None or any(value is r for r in results):
                value = np.array(value)
            results.append(value)
        for var in self.inputs + [v for v in self.fgraph.outputs if v.owner is not None]:
            storage[var][0] = None  # the caller owns the results now; drop our references
        for (target, _), value in zip(self.updates, results[self.n_outputs:]):
            target.container[0] = value
        outputs = results[:self.n_outputs]
        return outputs[0] if self._single else outputs


def function(inputs, outputs, device=None, updates=None, name: str | None = None,
             profile: bool = False) -> Function:
    """Compile ``outputs`` (a variable or a list) as a function of ``inputs`` (a list of variables).

    ``device``: "cpu" runs every node on the host (host code, else NumPy); "cuda" or "emu"
    run each node whose op has a kernel on that device and the rest on the host, with
    transfers between; None is the default device (cuda when usable, else emu).
    ``updates``: pairs ``(shared, new_value)`` (or a dict) assigned after each call.
    ``profile``: record per-node calls, time and transfer bytes in ``f.profile``.
    Results are NumPy arrays.
    """
    return Function(inputs, outputs, device=device, updates=updates, name=name, profile=profile)
