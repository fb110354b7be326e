"""Reverse-mode differentiation over the graph, and its finite-difference check.

``grad(cost, wrt)`` walks the nodes computing ``cost`` backwards (micrograd's
``backward``, but symbolic): each op's ``grad`` maps the gradients of its outputs to
gradients of its inputs, and gradients reaching one variable along several paths add up.
The result is a graph too, compiled like any other.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError, VerificationError, WarpbenchError
from warpbench.graph.basic import Variable, constant, toposort
from warpbench.graph.op import MethodNotDefined
from warpbench.graph.type import TensorType, shape_str


def grad(cost: Variable, wrt):
    """d cost / d wrt: one variable per variable of ``wrt`` (a variable or a list).

    ``cost`` must be a float scalar. Every variable of ``wrt`` must be something ``cost``
    depends on, and every op between them must define ``grad``.
    """
    if cost.ndim != 0 or not np.issubdtype(np.dtype(cost.dtype), np.floating):
        raise ShapeError(f"grad: the cost must be a float scalar, got {cost} of type {cost.type}")
    targets = [wrt] if isinstance(wrt, Variable) else list(wrt)
    nodes = toposort([cost])
    # Only variables computed from a target need a gradient.
    depends = set(targets)
    for node in nodes:
        if any(v in depends for v in node.inputs):
            depends.update(node.outputs)
    for var in targets:
        if var is not cost and not any(var in node.inputs for node in nodes):
            raise WarpbenchError(f"grad: the cost {cost} does not depend on {var}")

    grads: dict[Variable, Variable] = {cost: constant(1.0, cost.dtype)}
    for node in reversed(nodes):
        if not any(v in depends for v in node.inputs):
            continue
        output_grads = [grads.get(out) for out in node.outputs]
        if all(g is None for g in output_grads):
            continue  # the paths from here to the cost carry no gradient (e.g. Fill's shape model)
        try:
            input_grads = node.op.grad(node.inputs, output_grads)
        except (MethodNotDefined, NotImplementedError):  # ours, or an op author's Python habit
            raise WarpbenchError(f"grad: {node.op} has no gradient (node {node}, built at {node.trace})") from None
        for var, g in zip(node.inputs, input_grads):
            if g is not None and var in depends:
                grads[var] = grads[var] + g if var in grads else g
    for var in targets:
        if var not in grads:
            raise WarpbenchError(f"grad: no gradient flows from {cost} to {var} (only through "
                                 f"inputs that give shapes, not values)")
    found = [grads[var] for var in targets]
    return found[0] if isinstance(wrt, Variable) else found


def verify_grad(fn, points, rng=None, eps: float | None = None, tol: float | None = None,
                device: str = "cpu") -> None:
    """Check the symbolic gradient of ``fn`` against central finite differences at ``points``.

    ``fn`` takes one variable per array of ``points`` and returns a variable; the check
    differentiates ``sum(fn(...) * P)`` for a random P, so that every output element
    counts. Raises VerificationError naming the input and the element that differ.
    Defaults: eps 1e-6 and tol 1e-5 for float64, eps 1e-3 and tol 1e-2 otherwise.
    """
    rng = rng or np.random.default_rng(0)
    from warpbench.graph.function import function
    points = [np.asarray(p) for p in points]
    double = all(p.dtype == np.float64 for p in points)
    eps = eps or (1e-6 if double else 1e-3)
    tol = tol or (1e-5 if double else 1e-2)
    inputs = [TensorType(p.dtype, p.ndim)(f"input{i}") for i, p in enumerate(points)]
    out = fn(*inputs)
    shape = np.shape(function(inputs, out, device=device)(*points))
    cost = (out * constant(rng.uniform(0.5, 1.5, shape), out.dtype)).sum()
    f_cost = function(inputs, cost, device=device)
    analytic = function(inputs, grad(cost, inputs), device=device)(*points)
    for i, (point, symbolic) in enumerate(zip(points, analytic)):
        for index in np.ndindex(point.shape):
            values = [p.copy() for p in points]
            values[i][index] = point[index] + eps
            up = f_cost(*values)
            values[i][index] = point[index] - eps
            numeric = (up - f_cost(*values)) / (2 * eps)
            error = abs(symbolic[index] - numeric)
            if error > tol * (1 + abs(numeric)):
                raise VerificationError(
                    f"verify_grad: d cost / d input {i} (shape {shape_str(point.shape)}) at {index}: "
                    f"symbolic {symbolic[index]:.6g}, finite differences {numeric:.6g} (error {error:.3g})")
