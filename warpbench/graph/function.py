"""``function(inputs, outputs, device=...)``: compile a graph into a Python callable.

Compiling copies the graph into a FunctionGraph, rewrites it for the device (rewrite.py),
keeps shared variables on the device that uses them (shared.py) and links it (link.py).
Calling filters the arguments through the inputs' types, runs the nodes (the Cython loop
of ``warpbench.hostcode.vm``), returns NumPy arrays, then applies the updates to shared
variables, where they live.
"""
from __future__ import annotations

from warpbench.config import log
from warpbench.errors import ConfigError, DTypeError, WarpbenchError
from warpbench.graph.basic import Constant, Variable, as_variable, clone_replace, leaves
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


#: Theano's modes: FAST_COMPILE skips the optional rewrites, FAST_RUN (the default) runs them.
MODES = {"FAST_RUN": (), "FAST_COMPILE": ("fusion", "inplace", "scan_save_mem")}
UNUSED_INPUT_ACTIONS = ("raise", "warn", "ignore")


def _apply_givens(name: str, givens, outputs: list, updates: list) -> tuple[list, list]:
    """``outputs`` and update values with each variable of ``givens`` replaced by its value."""
    pairs = list(givens.items() if isinstance(givens, dict) else givens or ())
    if not pairs:
        return outputs, updates
    replace = {}
    for old, new in pairs:
        if not isinstance(old, Variable) or isinstance(old, Constant):
            raise WarpbenchError(f"{name}: givens must replace variables, got {old!r}")
        new = as_variable(new, like=old)
        if new.type != old.type:
            raise DTypeError(f"{name}: givens replaces {old} ({old.type}) with {new} of type {new.type}")
        replace[old] = new
    replaced = clone_replace(outputs + [value for _, value in updates], replace)
    return replaced[:len(outputs)], list(zip((t for t, _ in updates), replaced[len(outputs):]))


def _check_used(name: str, inputs: list, outputs: list, action: str) -> None:
    """Theano's ``on_unused_input``: an input no output or update reads raises, warns or passes."""
    if action not in UNUSED_INPUT_ACTIONS:
        raise ConfigError(f"{name}: on_unused_input={action!r} is not one of {', '.join(UNUSED_INPUT_ACTIONS)}")
    read = set(leaves(outputs, stop_at=inputs))
    for index, var in enumerate(inputs):
        if var not in read and action != "ignore":
            message = (f"{name}: input {index} ({var}) is not used to compute any output or update "
                       f"(pass on_unused_input='ignore' or 'warn' to allow it)")
            if action == "raise":
                raise WarpbenchError(message)
            log.warning(f"warpbench: warning: {message}")


class Function(vm.Callable):
    """A compiled graph; call it with one value per input. Build it with :func:`function`.

    A call goes straight to the Cython VM (``vm.Callable.__call__``), without a Python frame.
    """

    def __init__(self, inputs, outputs, device=None, updates=None, name: str | None = None,
                 profile: bool = False, excluding: tuple[str, ...] = (), givens=None,
                 allow_input_downcast: bool = False, on_unused_input: str = "raise"):
        from warpbench.runtime import get_device
        self.name = name or "function"
        self.inputs = _check_inputs(self.name, inputs)
        single = isinstance(outputs, Variable)
        outputs = [] if outputs is None else [outputs] if single else list(outputs)
        outputs, self.updates = _apply_givens(self.name, givens, outputs, _check_updates(self.name, updates))
        self.device = get_device(device)
        fg = FunctionGraph(self.inputs, outputs + [value for _, value in self.updates])
        _check_used(self.name, self.inputs, fg.outputs, on_unused_input)
        self.fgraph = optimize(fg, self.device.graph_placement or "cpu", tuple(excluding))
        targets = [target for target, _ in self.updates]
        if self.device.graph_placement is not None:
            place_shared(self.fgraph, self.device.graph_placement, targets, len(outputs))
        if "inplace" not in excluding:
            inplace_elemwise(self.fgraph)
        self.vm = Loop(self.fgraph, self.device, name=self.name, n_outputs=len(outputs), single=single,
                       targets=targets, profile=profile, allow_downcast=bool(allow_input_downcast))
        self.link(self.vm.core, self.vm.wrapper)

    @property
    def maker(self) -> "Function":
        """Theano's ``f.maker``: what it holds (``fgraph``, ``inputs``) is on the function itself."""
        return self

    @property
    def profile(self):
        """The :class:`~warpbench.graph.profiling.ProfileStats` (None unless built with ``profile=True``)."""
        return self.vm.profile


def function(inputs, outputs=None, device=None, updates=None, name: str | None = None,
             profile: bool = False, excluding: tuple[str, ...] = (), *, givens=None, mode: str | None = None,
             allow_input_downcast: bool | None = None, on_unused_input: str | None = None) -> Function:
    """Compile ``outputs`` (a variable or a list) as a function of ``inputs`` (a list of variables).

    ``device``: "cpu" runs every node on the host (host code, else NumPy); "cuda" or "emu"
    run each node whose op has a kernel on that device and the rest on the host, with
    transfers between; None is the default device (cuda when usable, else emu).
    ``updates``: pairs ``(shared, new_value)`` (or a dict) assigned after each call.
    ``givens``: pairs ``(variable, replacement)`` (or a dict) substituted in the graph before
    it is compiled, as in Theano (e.g. a minibatch slice of a shared dataset for ``x``).
    ``profile``: record calls, time and transfer bytes per node and op class in ``f.profile``
    (the first call excluded); ``print_profile(f)`` prints them.
    ``excluding``: optional rewrites to skip, as PyTensor's ``mode.excluding(...)``:
    ``("fusion",)`` keeps one node per elementwise op, ``("inplace",)`` gives every node
    its own output buffer, ``("scan_save_mem",)`` keeps every scan history whole.
    ``mode``: Theano's "FAST_RUN" (default) or "FAST_COMPILE" (no optional rewrite).
    ``allow_input_downcast``: cast arguments to the inputs' dtypes even when precision is
    lost (float64 data into a float32 input); otherwise that is a DTypeError.
    ``on_unused_input``: "raise" (default, as Theano), "warn" or "ignore" an input that no
    output or update reads.
    Results are NumPy arrays.
    """
    if mode is not None and mode not in MODES:
        raise ConfigError(f"function: mode={mode!r} is not one of {', '.join(MODES)}")
    return Function(inputs, outputs, device=device, updates=updates, name=name, profile=profile,
                    excluding=tuple(excluding) + MODES.get(mode or "FAST_RUN", ()), givens=givens,
                    allow_input_downcast=bool(allow_input_downcast), on_unused_input=on_unused_input or "raise")
