"""FunctionGraph: the private copy of a graph that one compiled function rewrites and runs.

It holds the function's inputs and outputs; its nodes are whatever lies between them,
recomputed by ``toposort``, so a node that no output needs any more is simply gone.
Rewrites go through :meth:`FunctionGraph.rewrite`: one walk in dependency order that
lets a transform replace each node's outputs.
"""
from __future__ import annotations

from typing import Callable

from warpbench.errors import DTypeError, WarpbenchError
from warpbench.graph.basic import Apply, Constant, Variable, clone, leaves, toposort
from warpbench.graph.shared import SharedVariable


class FunctionGraph:
    """The subgraph from ``inputs`` to ``outputs``, with the nodes copied (leaves are shared)."""

    def __init__(self, inputs: list[Variable], outputs: list[Variable]):
        self.inputs = list(inputs)
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
        return count
