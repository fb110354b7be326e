"""The ``Scan`` op: a loop whose body is an inner graph, compiled with ``function`` on the
device of the function that runs the loop.

Inputs: ``[n_steps] + sequences + initial states + non-sequences``. The inner graph takes
one slice of each sequence, the previous value of each recurrent output, then the
non-sequences, and returns one value per output. A recurrent output's history keeps the
initial state in row 0 (``n + 1`` rows, Theano's layout); a non-recurrent output has ``n``
rows. A recurrent output marked ``last_only`` (by the ``scan_save_mem`` rewrite, when only
its last row is read) keeps two rows: the initial state and the last value. Iteration ``k`` reads sequence rows ``t + tap`` with ``t = k`` (``n - 1 - k`` when
``reverse``); outputs are stored in iteration order.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph.basic import Apply, Variable, toposort
from warpbench.graph.op import Op
from warpbench.graph.type import TensorType, shape_str


class InnerGraph:
    """The body of a loop: placeholder ``inputs`` (slices, previous states, non-sequences) and
    the ``outputs`` computed from them; compiled once per device."""

    def __init__(self, inputs: list[Variable], outputs: list[Variable]):
        self.inputs, self.outputs = list(inputs), list(outputs)
        self._compiled: dict = {}

    def compiled(self, device: str):
        """The inner graph as a Function for ``device`` ("cpu", "emu", "cuda")."""
        if device not in self._compiled:
            from warpbench.graph.function import function
            self._compiled[device] = function(self.inputs, self.outputs, device=device, name="scan inner function",
                                              on_unused_input="ignore")
        return self._compiled[device]

    def shapes(self, input_shapes) -> list[tuple] | None:
        """The output shapes for these input shapes, through the inner ops' ``infer_shape``;
        None when one of them cannot tell."""
        shapes = dict(zip(self.inputs, (tuple(s) for s in input_shapes)))
        for node in toposort(self.outputs, stop_at=self.inputs):
            for var in node.inputs:
                if var not in shapes and hasattr(var, "data"):
                    shapes[var] = np.shape(var.data)
            if any(v not in shapes for v in node.inputs):
                return None  # a shared variable read inside: its value decides
            found = node.op.infer_shape(node, [shapes[v] for v in node.inputs])
            if found is None:
                return None
            shapes.update(zip(node.outputs, (tuple(int(d) for d in s) for s in found)))
        return [shapes.get(v) for v in self.outputs] if all(v in shapes for v in self.outputs) else None


class Scan(Op):
    """A loop over an :class:`InnerGraph`; see the module docstring for the layout.

    ``recurrent[i]`` says whether output i feeds back (it then has an initial state input),
    ``taps[j]`` is the row offset of sequence j, ``has_n_steps`` whether the first input is
    the step count (else the sequences' lengths give it), ``last_only[i]`` whether recurrent
    output i keeps only its initial state and last value (two rows).
    """

    __props__ = ("inner", "n_seqs", "recurrent", "n_nonseqs", "taps", "reverse", "has_n_steps", "name",
                 "last_only")

    def __init__(self, inner: InnerGraph, n_seqs: int, recurrent: tuple, n_nonseqs: int, taps: tuple,
                 reverse: bool, has_n_steps: bool, name: str = "scan", last_only: tuple | None = None):
        self.inner, self.n_seqs, self.recurrent = inner, n_seqs, tuple(recurrent)
        self.n_nonseqs, self.taps, self.reverse = n_nonseqs, tuple(taps), bool(reverse)
        self.has_n_steps, self.name = bool(has_n_steps), name
        self.last_only = tuple(bool(x) for x in last_only) if last_only else (False,) * len(self.recurrent)

    def keeping_last_only(self, last_only: tuple) -> Scan:
        """This loop with ``last_only`` recurrent outputs keeping two rows instead of ``n + 1``."""
        return Scan(self.inner, self.n_seqs, self.recurrent, self.n_nonseqs, self.taps, self.reverse,
                    self.has_n_steps, self.name, last_only)

    def __str__(self):
        return f"Scan{{{self.name}, {'backward' if self.reverse else 'forward'}}}"

    @property
    def n_recurrent(self) -> int:
        """How many outputs feed back."""
        return sum(self.recurrent)

    def split(self, inputs) -> tuple[list, list, list, list]:
        """``inputs`` as (n_steps or [], sequences, initial states, non-sequences)."""
        start = int(self.has_n_steps)
        seqs_end = start + self.n_seqs
        inits_end = seqs_end + self.n_recurrent
        return list(inputs[:start]), list(inputs[start:seqs_end]), list(inputs[seqs_end:inits_end]), \
            list(inputs[inits_end:])

    def make_node(self, *inputs):
        n_steps, seqs, inits, nonseqs = self.split(inputs)
        if len(nonseqs) != self.n_nonseqs:
            raise ShapeError(f"{self}: takes {self.n_nonseqs} non-sequence(s), got {len(nonseqs)}")
        given = seqs + inits + nonseqs
        for k, (outer, inner) in enumerate(zip(given, self.inner.inputs)):
            want = TensorType(outer.dtype, outer.ndim - (k < self.n_seqs))
            if TensorType(inner.dtype, inner.ndim) != want:
                raise DTypeError(f"{self}: input {outer} ({outer.type}) does not fit the inner input {inner} "
                                 f"({inner.type})")
        outputs, states = [], iter(inits)
        for out, recurrent in zip(self.inner.outputs, self.recurrent):
            if recurrent:
                init = next(states)
                if (out.dtype, out.ndim) != (init.dtype, init.ndim):
                    raise DTypeError(f"{self}: the step returns {out.type} for the recurrent output whose "
                                     f"initial state {init} is {init.type}; they must match")
            outputs.append(TensorType(out.dtype, out.ndim + 1)())
        return Apply(self, n_steps + seqs + inits + nonseqs, outputs)

    def steps(self, n_steps, seq_shapes) -> int:
        """The number of iterations for these sequence shapes (and ``n_steps`` when given)."""
        lengths = [shape[0] - tap for shape, tap in zip(seq_shapes, self.taps)]
        if n_steps:
            n = int(n_steps[0])
            if n < 0 or (lengths and n > min(lengths)):
                raise ShapeError(f"{self}: n_steps={n} must be >= 0 and at most the shortest sequence "
                                 f"({min(lengths) if lengths else 'no sequences'} step(s))")
            return n
        return max(min(lengths), 0)

    def run(self, fn, node, inputs, output_storage) -> None:
        """Run the loop with the compiled inner function ``fn``."""
        n_steps, seqs, inits, nonseqs = self.split(inputs)
        n = self.steps(n_steps, [s.shape for s in seqs])
        histories, rolling = [], [last for last, r in zip(self.last_only, self.recurrent) if r]
        for init, var, last in zip(inits, (o for o, r in zip(node.outputs, self.recurrent) if r), rolling):
            history = np.empty((2 if last else n + 1,) + init.shape, var.dtype)
            history[0] = history[-1] = init   # a loop of 0 steps ends where it started
            histories.append(history)
        collected = [[] for r in self.recurrent if not r]
        for k in range(n):
            t = n - 1 - k if self.reverse else k
            slices = [seq[t + tap] for seq, tap in zip(seqs, self.taps)]
            results = fn(*slices, *(h[min(k, 1) if last else k] for h, last in zip(histories, rolling)), *nonseqs)
            states, others = iter(zip(histories, rolling)), iter(collected)
            for i, (value, recurrent) in enumerate(zip(results, self.recurrent)):
                if not recurrent:
                    next(others).append(value)
                    continue
                history, last = next(states)
                if value.shape != history.shape[1:]:
                    raise ShapeError(f"{self}: step {k} returned a {shape_str(value.shape)} value for recurrent "
                                     f"output {i}, whose initial state is {shape_str(history.shape[1:])}")
                history[1 if last else k + 1] = value
        states, others = iter(histories), iter(collected)
        for i, (cell, var, recurrent) in enumerate(zip(output_storage, node.outputs, self.recurrent)):
            if recurrent:
                cell[0] = next(states)
                continue
            values = next(others)
            if values:
                cell[0] = np.stack(values).astype(var.dtype, copy=False)
            else:
                cell[0] = self._empty_output(i, inputs, var.dtype)

    def _empty_output(self, index: int, inputs, dtype):
        """Output ``index`` of a loop that ran 0 steps: 0 rows of the shape the step would give."""
        _, seqs, inits, nonseqs = self.split([np.shape(v) for v in inputs])
        inner = self.inner.shapes([s[1:] for s in seqs] + inits + nonseqs)
        if inner is None:
            raise ShapeError(f"{self}: runs 0 steps and cannot tell the shape of output {index}")
        return np.empty((0,) + inner[index], dtype)

    def perform(self, node, inputs, output_storage):
        self.run(self.inner.compiled("cpu"), node, inputs, output_storage)

    def make_thunk(self, node, device):
        """Run the inner graph on the same device as the function running this node."""
        fn = self.inner.compiled(device.graph_placement or "cpu")
        return lambda inputs, output_storage: self.run(fn, node, inputs, output_storage)

    def infer_shape(self, node, input_shapes):
        n_steps, seqs, inits, nonseqs = self.split(input_shapes)
        if self.has_n_steps:
            if not hasattr(node.inputs[0], "data"):
                return None  # a computed count: its value, not a shape, decides
            n_steps = [node.inputs[0].data]
        n = self.steps(n_steps, seqs)
        inner = self.inner.shapes([s[1:] for s in seqs] + inits + nonseqs)
        if inner is None:
            return None
        states = iter(inits)
        for i, (shape, recurrent) in enumerate(zip(inner, self.recurrent)):
            if recurrent and tuple(shape) != tuple(init := next(states)):
                raise ShapeError(f"{self}: the step returned a {shape_str(shape)} value for recurrent output {i}, "
                                 f"whose initial state is {shape_str(init)}")
        rows = [(2 if last else n + 1) if r else n for r, last in zip(self.recurrent, self.last_only)]
        return [(count,) + tuple(s) for count, s in zip(rows, inner)]

    def grad(self, inputs, output_grads):
        from warpbench.graph.scan_grad import scan_grad
        return scan_grad(self, inputs, output_grads)
