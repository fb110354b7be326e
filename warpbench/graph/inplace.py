"""In-place outputs of fused elementwise nodes (Theano's ``destroy_map`` and inplace elemwise).

:func:`inplace_elemwise` is the last rewrite of a function's graph (after shared variables
found their device): a fused elementwise node (a ``Composite`` on the host, a
``GpuElemwise`` on a kernel device, both :class:`InPlace`) whose input is an intermediate
that it alone reads takes that input's buffer for its output. It then says so as Theano's
ops do, ``op.destroy_map == {0: [k]}``. An input qualifies when it is:

- computed by a node of the graph (not a function input, a shared variable or a constant)
  whose op declares no ``view_map`` (an op whose output may be its input, or a view of
  it, says so with ``view_map = {out: [in]}``, as in Theano);
- not a function output, and read by this node only, once;
- of the output's type (dtype, ndim and device).

Shapes are known only when the node runs: :func:`reusable` checks that the buffer has the
output's shape and dtype, is C-contiguous, writable and owns its memory (on the host; a
device array must not be a view with a ``base``); otherwise the node allocates its output
as usual. Elementwise code reads each element before it writes the same element, so
sharing the buffer cannot change a result.
``function(..., excluding=("inplace",))`` switches the rewrite off.
"""
from __future__ import annotations

import numpy as np

from warpbench.graph.basic import Apply, Variable
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.op import MethodNotDefined


class InPlace:
    """What an op that ``inplace_elemwise`` may make in place has: ``inplace``, the input
    whose buffer its output takes (None: none), Theano's ``destroy_map`` from it, and
    ``in_place(k)``, the same op taking input ``k``'s buffer."""

    inplace: int | None = None

    @property
    def destroy_map(self) -> dict[int, list[int]]:
        """Theano's ``destroy_map``: output 0 overwrites input ``inplace``."""
        return {} if self.inplace is None else {0: [self.inplace]}

    def in_place(self, k: int):
        """This op writing its output into input ``k``'s buffer."""
        raise MethodNotDefined(f"{type(self).__name__} does not define in_place")


def destroyable(var: Variable, node: Apply, clients: dict, outputs: set) -> bool:
    """Whether ``node`` may write its output into ``var``'s buffer (see the module docstring)."""
    producer = var.owner
    return (producer is not None and not getattr(producer.op, "view_map", None)
            and var not in outputs and clients.get(var) == [node]
            and var.type == node.outputs[0].type)


def inplace_elemwise(fg: FunctionGraph) -> int:
    """Give every fused elementwise node of ``fg`` that can have one an in-place output;
    returns how many nodes were made in-place."""
    clients: dict[Variable, list] = {}
    for node in fg.toposort():
        for var in node.inputs:
            clients.setdefault(var, []).append(node)
    outputs = set(fg.outputs)

    def transform(node: Apply):
        if not isinstance(node.op, InPlace) or node.op.destroy_map:
            return None
        k = next((k for k, var in enumerate(node.inputs) if destroyable(var, node, clients, outputs)), None)
        if k is None:
            return None
        fused = node.op.in_place(k).make_node(*node.inputs)
        fused.trace = node.trace
        for var in node.inputs:  # the replacement reads what the node read
            clients[var] = [fused if reader is node else reader for reader in clients[var]]
        for old, new in zip(node.outputs, fused.outputs):  # and is read as the node was
            clients[new] = clients.get(old, [])
            if old in outputs:
                outputs.add(new)
        return fused.outputs

    return fg.rewrite(transform)


def reusable(buffer, shape: tuple, dtype) -> bool:
    """Whether the array ``buffer`` (host or device) can hold an output of ``shape`` and ``dtype``."""
    if tuple(buffer.shape) != tuple(shape) or np.dtype(buffer.dtype) != np.dtype(dtype):
        return False
    flags = getattr(buffer, "flags", None)
    if isinstance(buffer, np.ndarray):
        return flags.c_contiguous and flags.writeable and flags.owndata
    # A device array: PyCUDA's GPUArray has flags and the array it views as ``base``.
    return (flags is None or flags.c_contiguous) and getattr(buffer, "base", None) is None
