"""Backpropagation through time: the gradient of a ``Scan`` is a ``Scan`` running the other way.

Its step, at the forward step's time ``t``, reads the forward sequences' slices, the
forward state before the step (a shifted row of the history), the gradients reaching the
step's outputs from outside, and carries the gradient reaching the previous state plus one
accumulator per non-sequence. The step's body is the forward body's own gradient
(``grad`` of ``sum(outputs * their gradients)``), so the backward loop can be
differentiated again.
"""
from __future__ import annotations

from warpbench.graph.basic import Variable, clone_replace, toposort
from warpbench.graph.gradient import grad
from warpbench.graph.reduction import fill
from warpbench.graph.rows import PutRows, Rows, reverse
from warpbench.graph.scan_op import InnerGraph, Scan
from warpbench.graph.type import FLOAT_DTYPES, TensorType


def _fresh(like: Variable, name: str, drop: int = 0) -> Variable:
    """A free host variable of ``like``'s dtype with ``drop`` fewer dimensions."""
    return TensorType(like.dtype, like.ndim - drop)(name)


def _differentiable(cost: Variable, var: Variable) -> bool:
    """Whether a gradient of ``cost`` flows to ``var``: a float variable it reads."""
    return var.dtype in FLOAT_DTYPES and any(var in node.inputs for node in toposort([cost]))


def _step_gradient(op: Scan, wrt_seqs, prevs, out_grads, nonseqs) -> list[Variable]:
    """Gradients of ``sum(outputs * out_grads)`` of the forward body, w.r.t. the slices, the
    previous states and the non-sequences (zeros where the body does not read one)."""
    inner = op.inner
    outputs = clone_replace(inner.outputs, dict(zip(inner.inputs, wrt_seqs + prevs + nonseqs)))
    cost = None
    for out, g in zip(outputs, out_grads):
        term = (out * g).sum()
        cost = term if cost is None else cost + term
    targets = wrt_seqs + prevs + nonseqs
    used = [v for v in targets if _differentiable(cost, v)]
    found = dict(zip(used, grad(cost, used))) if used else {}
    return [found.get(v, fill(v, 0)) for v in targets]


def scan_grad(op: Scan, inputs: list[Variable], output_grads: list) -> list:
    """The gradients of ``op``'s inputs (None for the step count) given its outputs' gradients."""
    outputs = op.make_node(*inputs).outputs
    n_steps, seqs, inits, nonseqs = op.split(inputs)
    grads = [g if g is not None else fill(out, 0) for out, g in zip(outputs, output_grads)]
    histories = [out for out, r in zip(outputs, op.recurrent) if r]
    history_grads = [g for g, r in zip(grads, op.recurrent) if r]
    other_grads = [g for g, r in zip(grads, op.recurrent) if not r]

    # The backward loop runs the other way, so each of its steps sits at the time t of the
    # forward step it undoes. Histories and output gradients are in the forward iteration
    # order: a forward loop that ran backwards has them reversed first; the taps then pick
    # the state before the step (history row k) and the gradient of the state after it (k + 1).
    flip = reverse if op.reverse else (lambda v: v)
    back_seqs = list(zip(seqs, op.taps))
    back_seqs += [(flip(h), 1 if op.reverse else 0) for h in histories]           # state before step
    back_seqs += [(flip(g), 0) for g in other_grads]                               # d output at step
    back_seqs += [(flip(g), 0 if op.reverse else 1) for g in history_grads]       # d state after step

    slices = [_fresh(s, f"{s}[t]", 1) for s in seqs]
    prevs = [_fresh(h, "state[t-1]") for h in inits]
    d_others = [_fresh(out, "d_output[t]") for out, r in zip(op.inner.outputs, op.recurrent) if not r]
    d_states = [_fresh(h, "d_state[t]") for h in inits]
    carries = [_fresh(h, "d_state_carried") for h in inits]
    accumulated = [_fresh(v, f"d_{v}_so_far") for v in nonseqs]
    inner_nonseqs = [_fresh(v, str(v)) for v in nonseqs]

    out_grads, states, others = [], iter(zip(d_states, carries)), iter(d_others)
    for recurrent in op.recurrent:
        if recurrent:
            d_state, carried = next(states)
            out_grads.append(d_state + carried)
        else:
            out_grads.append(next(others))
    step = _step_gradient(op, slices, prevs, out_grads, inner_nonseqs)
    n_seqs, n_inits = len(seqs), len(inits)
    d_slices, d_prevs, d_nonseqs = step[:n_seqs], step[n_seqs:n_seqs + n_inits], step[n_seqs + n_inits:]
    body_outputs = d_slices + d_prevs + [acc + d for acc, d in zip(accumulated, d_nonseqs)]
    body_inputs = slices + prevs + d_others + d_states + carries + accumulated + inner_nonseqs

    back = Scan(InnerGraph(body_inputs, body_outputs), n_seqs=len(back_seqs),
                recurrent=(False,) * len(seqs) + (True,) * (len(inits) + len(nonseqs)), n_nonseqs=len(nonseqs),
                taps=tuple(tap for _, tap in back_seqs), reverse=not op.reverse, has_n_steps=op.has_n_steps,
                name=f"grad of {op.name}")
    starts = [fill(h, 0) for h in inits] + [fill(v, 0) for v in nonseqs]
    results = back(*n_steps, *(s for s, _ in back_seqs), *starts, *nonseqs)
    results = results if isinstance(results, list) else [results]
    d_seq_rows = results[:n_seqs]
    d_carry_histories, d_acc_histories = results[n_seqs:n_seqs + n_inits], results[n_seqs + n_inits:]

    # The backward loop stores in its own iteration order: back to time order, then into
    # the sequences' rows from their tap on.
    unflip = (lambda v: v) if op.reverse else reverse
    d_seqs = [PutRows(tap)(seq, unflip(rows)) for seq, tap, rows in zip(seqs, op.taps, d_seq_rows)]
    last = Rows(-1, squeeze=True)
    d_inits = [last(carry) + Rows(0, squeeze=True)(g) for carry, g in zip(d_carry_histories, history_grads)]
    d_nonseqs_total = [last(acc) for acc in d_acc_histories]
    found = d_seqs + d_inits + d_nonseqs_total
    # Integer inputs (indices, counts) get no gradient.
    return [None] * len(n_steps) + [g if v.dtype in FLOAT_DTYPES else None
                                    for v, g in zip(inputs[len(n_steps):], found)]
