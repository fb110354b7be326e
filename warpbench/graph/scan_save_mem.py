"""``scan_save_mem``: a loop's recurrent output whose only readers take its last row keeps two
rows (the initial state and the last value) instead of its whole ``n + 1``-row history.

Backpropagation through time reads only the last row of its gradient accumulators (one per
non-sequence, each the size of a weight matrix) and of its carried state gradients; without
this rewrite a 100-step LSTM keeps 101 copies of each weight-sized gradient. Theano's
``scan_save_mem`` does the same for buffers read at fixed taps. An output of the function,
or one read any other way, keeps its history.
"""
from __future__ import annotations

from warpbench.graph.basic import Constant
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.rows import Rows
from warpbench.graph.scan_op import Scan
from warpbench.graph.subtensor import Subtensor


def _reads_last_row(node) -> bool:
    """``Rows(-1)`` (backpropagation's read) or ``history[-1]`` / ``history[-1, ...]``."""
    op = node.op
    if isinstance(op, Rows):
        return op.squeeze and op.start == -1
    if not isinstance(op, Subtensor) or op.idx_list[0] != ("int",):
        return False
    index = node.inputs[1]
    return isinstance(index, Constant) and int(index.data) == -1


def scan_save_mem(fg: FunctionGraph) -> int:
    """Mark every recurrent Scan output read only as ``x[-1]`` as ``last_only``; return how
    many loops changed."""
    readers: dict = {}
    for node in fg.toposort():
        for var in node.inputs:
            readers.setdefault(var, []).append(node)
    outputs = set(fg.outputs)

    def transform(node):
        op = node.op
        if not isinstance(op, Scan):
            return None
        last_only = tuple(kept or (recurrent and out not in outputs and bool(readers.get(out))
                                   and all(map(_reads_last_row, readers[out])))
                          for out, recurrent, kept in zip(node.outputs, op.recurrent, op.last_only))
        if last_only == op.last_only:
            return None
        new = op.keeping_last_only(last_only).make_node(*node.inputs)
        new.trace = node.trace
        return new.outputs

    return fg.rewrite(transform)
