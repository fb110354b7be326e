"""FunctionGraph: the private copy of a graph that one compiled function rewrites and runs.

It holds the function's inputs and outputs; its nodes are whatever lies between them,
recomputed by ``toposort``, so a node that no output needs any more is simply gone.
Rewrites go through :meth:`FunctionGraph.rewrite`: one walk in dependency order that
lets a transform replace each node's outputs. A graph with a cycle (possible only by
editing ``node.inputs`` by hand) is refused with the nodes on the cycle: no order exists.
"""
from __future__ import annotations

from typing import Callable

from warpbench.errors import DTypeError, WarpbenchError
from warpbench.graph.basic import Apply, Constant, Variable, clone, leaves, toposort
from warpbench.graph.shared import SharedVariable


class CycleError(WarpbenchError):
    """A graph in which a node depends on its own output."""


def _producers(node: Apply, stop: set) -> list[Apply]:
    return [v.owner for v in node.inputs if v.owner is not None and v not in stop]


def check_acyclic(outputs, stop_at=()) -> None:
    """CycleError naming, in data-flow order, the nodes of a cycle above ``outputs`` (the walk
    stops at ``stop_at``); every toposort of such a graph would loop forever."""
    stop = set(stop_at)
    on_path, done = 1, 2
    state: dict[Apply, int] = {}
    for out in outputs:
        if out.owner is None or out in stop or out.owner in state:
            continue
        path, pending = [out.owner], [iter(_producers(out.owner, stop))]
        state[out.owner] = on_path
        while pending:
            producer = next(pending[-1], None)
            if producer is None:
                state[path.pop()] = done
                pending.pop()
            elif state.get(producer) == on_path:
                # path[i] reads an output of path[i + 1], and the last node reads ``producer``.
                cycle = path[path.index(producer):][::-1]
                shown = " -> ".join(f"{n}" + (f" (built at {n.trace})" if n.trace else "") for n in cycle)
                raise CycleError(f"the graph has a cycle, so no node order exists: {shown} -> {cycle[0]}")
            elif producer not in state:
                state[producer] = on_path
                path.append(producer)
                pending.append(iter(_producers(producer, stop)))


class FunctionGraph:
    """The subgraph from ``inputs`` to ``outputs``, with the nodes copied (leaves are shared)."""

    def __init__(self, inputs: list[Variable], outputs: list[Variable]):
        self.inputs = list(inputs)
        check_acyclic(outputs, stop_at=self.inputs)
        self.outputs = clone(outputs, stop_at=self.inputs)
        given = set(self.inputs)
        for leaf in leaves(self.outputs, stop_at=self.inputs):
            if leaf not in given and not isinstance(leaf, (Constant, SharedVariable)):
                raise WarpbenchError(f"the outputs depend on {leaf} ({leaf.type}), which is not among the "
                                     f"inputs ({', '.join(map(str, self.inputs)) or 'none'})")

    def toposort(self) -> list[Apply]:
        """The nodes, each after the nodes computing its inputs."""
        return toposort(self.outputs, stop_at=self.inputs)

    def rewrite(self, transform: Callable[[Apply], list[Variable] | None]) -> int:
        """Offer every node to ``transform``, in order; return how many it replaced.

        ``transform(node)`` returns None to keep the node, or variables of the same types
        to use instead of its outputs. Later nodes see the replacements as their inputs.
        """
        replaced: dict[Variable, Variable] = {}
        count = 0
        for node in self.toposort():
            node.inputs = [replaced.get(v, v) for v in node.inputs]
            new = transform(node)
            if new is None:
                continue
            for old, rep in zip(node.outputs, new, strict=True):
                if rep.type != old.type:
                    raise DTypeError(f"rewrite of {node} changes output type {old.type} to {rep.type}")
                replaced[old] = rep
            count += 1
        self.outputs = [replaced.get(v, v) for v in self.outputs]
        if count:
            check_acyclic(self.outputs, stop_at=self.inputs)
        return count
