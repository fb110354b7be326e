"""``scan``: Theano's loop construct, returning ``(outputs, updates)``.

>>> h, updates = scan(lambda x_t, h_prev, W, U: tanh(dot(x_t, W) + dot(h_prev, U)),
...                   sequences=x, outputs_info=h0, non_sequences=[W, U])

``fn`` gets one slice of each sequence, then the previous value of each recurrent output
(the outputs whose ``outputs_info`` entry is not None), then the non-sequences, and returns
one value per output (a single one bare). Variables ``fn`` reads without being given them
(shared variables, outer inputs) become non-sequences of the loop, so gradients reach them.
"""
from __future__ import annotations

from collections import OrderedDict

from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph.basic import Constant, Variable, as_variable, clone_replace, constant, leaves
from warpbench.graph.rows import Rows
from warpbench.graph.scan_op import InnerGraph, Scan
from warpbench.graph.type import TensorType


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _initial_state(index: int, info):
    """The initial state of output ``index`` from its ``outputs_info`` entry (None: not recurrent)."""
    if isinstance(info, dict):
        taps = list(info.get("taps", [-1]))
        if taps != [-1]:
            raise WarpbenchError(f"scan: outputs_info[{index}] asks for taps {taps}; only [-1] (the previous "
                                 f"value) is supported")
        if "initial" not in info:
            raise WarpbenchError(f"scan: outputs_info[{index}] is a dict without 'initial'")
        info = info["initial"]
    return None if info is None else as_variable(info)


def _step_outputs(result) -> list[Variable]:
    """What ``fn`` returned, as a list of variables; an updates dict must be empty."""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict):
        result, updates = result
        if updates:
            raise WarpbenchError(f"scan: the step function returned updates for {', '.join(map(str, updates))}; "
                                 f"updates inside scan are not supported")
    return [as_variable(v) for v in _as_list(result)]


def _n_steps_input(n_steps) -> list[Variable]:
    if n_steps is None:
        return []
    if isinstance(n_steps, Variable):
        if n_steps.ndim != 0 or not n_steps.dtype.startswith(("int", "uint")):
            raise DTypeError(f"scan: n_steps must be an integer scalar, got {n_steps} of type {n_steps.type}")
        return [n_steps]
    if int(n_steps) != n_steps or n_steps < 0:
        raise ShapeError(f"scan: n_steps must be a non-negative integer, got {n_steps!r}")
    return [constant(int(n_steps), "int64")]


def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None, go_backwards=False,
         name: str = "scan"):
    """Loop ``fn`` over the rows of ``sequences``; returns ``(outputs, updates)`` as Theano does.

    ``outputs_info``: per output, its initial state (a variable, or ``dict(initial=...)``)
    or None for an output that does not feed back. ``n_steps``: the number of steps (at most
    the shortest sequence; needed without sequences). ``go_backwards``: walk the sequences
    from the last row; outputs are stored in the order computed. A recurrent output holds
    the states after each step (not the initial one). ``updates`` is always empty.
    """
    seqs = [as_variable(s) for s in _as_list(sequences)]
    for index, seq in enumerate(seqs):
        if seq.ndim < 1:
            raise ShapeError(f"scan: sequences[{index}] ({seq}) is a scalar; sequences are sliced along axis 0")
    if not seqs and n_steps is None:
        raise WarpbenchError("scan: give sequences or n_steps (the loop has no length)")
    nonseqs = [as_variable(v) for v in _as_list(non_sequences)]
    infos = _as_list(outputs_info) if outputs_info is not None else None
    inits = [_initial_state(i, info) for i, info in enumerate(infos or [])]

    slices = [TensorType(s.dtype, s.ndim - 1)(f"{s}[t]") for s in seqs]
    prevs = [TensorType(init.dtype, init.ndim)(f"{init}[t-1]") for init in inits if init is not None]
    inner_nonseqs = [TensorType(v.dtype, v.ndim)(str(v)) for v in nonseqs]
    outputs = _step_outputs(fn(*slices, *prevs, *inner_nonseqs))
    if infos is None:
        inits = [None] * len(outputs)
    if len(outputs) != len(inits):
        raise WarpbenchError(f"scan: the step function returned {len(outputs)} output(s) but outputs_info has "
                             f"{len(inits)} entries (one per output, None for those that do not feed back)")

    # Variables the step reads from outside become non-sequences (Theano does the same).
    given = set(slices + prevs + inner_nonseqs)
    captured = [v for v in leaves(outputs) if v not in given and not isinstance(v, Constant)]
    stand_ins = [TensorType(v.dtype, v.ndim)(str(v)) for v in captured]
    outputs = clone_replace(outputs, dict(zip(captured, stand_ins)))
    nonseqs += captured

    op = Scan(InnerGraph(slices + prevs + inner_nonseqs + stand_ins, outputs), n_seqs=len(seqs),
              recurrent=tuple(init is not None for init in inits), n_nonseqs=len(nonseqs),
              taps=(0,) * len(seqs), reverse=go_backwards, has_n_steps=n_steps is not None, name=name)
    results = op(*_n_steps_input(n_steps), *seqs, *(i for i in inits if i is not None), *nonseqs)
    results = results if isinstance(results, list) else [results]
    after_first = Rows(1)
    shown = [after_first(out) if init is not None else out for out, init in zip(results, inits)]
    return (shown[0] if len(shown) == 1 else shown), OrderedDict()
