"""``function(inputs, outputs, device=...)``: compile a graph into a Python callable.

Compiling copies the graph into a FunctionGraph, rewrites it for the device (rewrite.py),
keeps shared variables on the device that uses them (shared.py) and links it (link.py).
Calling filters the arguments through the inputs' types, runs the nodes (the Cython loop
of ``warpbench.hostcode.vm``), returns NumPy arrays, then applies the updates to shared
variables, where they live.
"""
from __future__ import annotations

from warpbench.errors import DTypeError, WarpbenchError
from warpbench.graph.basic import Constant, Variable, as_variable
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.inplace import inplace_elemwise
from warpbench.graph.link import Loop
from warpbench.graph.rewrite import optimize
from warpbench.graph.shared import SharedVariable, place_shared
from warpbench.hostcode import vm


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


class Function(vm.Callable):
    """A compiled graph; call it with one value per input. Build it with :func:`function`.

    A call goes straight to the Cython VM (``vm.Callable.__call__``), without a Python frame.
    """

    def __init__(self, inputs, outputs, device=None, updates=None, name: str | None = None,
                 profile: bool = False, excluding: tuple[str, ...] = ()):
        from warpbench.runtime import get_device
        self.name = name or "function"
        self.inputs = _check_inputs(self.name, inputs)
        single = isinstance(outputs, Variable)
        outputs = [outputs] if single else list(outputs)
        self.updates = _check_updates(self.name, updates)
        self.device = get_device(device)
        fg = FunctionGraph(self.inputs, outputs + [value for _, value in self.updates])
        self.fgraph = optimize(fg, self.device.graph_placement or "cpu", tuple(excluding))
        targets = [target for target, _ in self.updates]
        if self.device.graph_placement is not None:
            place_shared(self.fgraph, self.device.graph_placement, targets, len(outputs))
        if "inplace" not in excluding:
            inplace_elemwise(self.fgraph)
        self.vm = Loop(self.fgraph, self.device, name=self.name, n_outputs=len(outputs), single=single,
                       targets=targets, profile=profile)
        self.link(self.vm.core, self.vm.wrapper)

    @property
    def profile(self):
        """The :class:`~warpbench.graph.profiling.ProfileStats` (None unless built with ``profile=True``)."""
        return self.vm.profile


def function(inputs, outputs, device=None, updates=None, name: str | None = None,
             profile: bool = False, excluding: tuple[str, ...] = ()) -> Function:
    """Compile ``outputs`` (a variable or a list) as a function of ``inputs`` (a list of variables).

    ``device``: "cpu" runs every node on the host (host code, else NumPy); "cuda" or "emu"
    run each node whose op has a kernel on that device and the rest on the host, with
    transfers between; None is the default device (cuda when usable, else emu).
    ``updates``: pairs ``(shared, new_value)`` (or a dict) assigned after each call.
    ``profile``: record calls, time and transfer bytes per node and op class in ``f.profile``
    (the first call excluded); ``print_profile(f)`` prints them.
    ``excluding``: optional rewrites to skip, as PyTensor's ``mode.excluding(...)``:
    ``("fusion",)`` keeps one node per elementwise op, ``("inplace",)`` gives every node
    its own output buffer.
    Results are NumPy arrays.
    """
    return Function(inputs, outputs, device=device, updates=updates, name=name, profile=profile,
                    excluding=excluding)
