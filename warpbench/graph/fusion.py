"""Elementwise fusion: chains and trees of elementwise nodes become one Composite node, one kernel.

:func:`fuse_elemwise` rewrites every maximal group of elementwise nodes in which each
node but the last feeds only the next one (``y = a * x + b * exp(x)`` is one group; a node
whose output is read twice, or is a function output, ends a group) into a single
:class:`Composite` node. Its inputs are the group's leaves, named ``i0, i1...`` in the
order a left-to-right walk meets them; broadcasting works across the group as in NumPy,
and 0-d constants stay inputs, passed to the kernel by value (a change of constant does
not regenerate the kernel). It prints as Theano's ``Composite{(i0 + (i1 * i2))}``.

Every elementwise node, fused or not, computes on a kernel device through one generated
:class:`~warpbench.kernels.elementwise_kernel.ElementwiseKernel` (:func:`elemwise_kernel`):
each step in the C type of its own output, as NumPy computes the unfused graph, from the
ops' ``c_expression``. On the host a Composite runs one C loop generated from the same
statements (:meth:`Composite.c_operation`, looped by composite_c.py) through the C-op
contract (c_op.py), compiled by the one compiler cache; ``perform`` (NumPy) stays the
reference, and is what constant folding runs. A fused node may take the buffer of an
input only it reads for its output (``inplace``, Theano's ``destroy_map``; inplace.py).
"""
from __future__ import annotations

import functools

import numpy as np

from warpbench.cache import digest
from warpbench.errors import WarpbenchError
from warpbench.graph.basic import Apply, Variable, as_variable
from warpbench.graph.composite_c import SUPPORT_CODE, CompositeThunk, composite_c_code
from warpbench.graph.elemwise import Elemwise
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.inplace import InPlace, reusable
from warpbench.graph.op import MethodNotDefined, Op, output_variable
from warpbench.kernels.elementwise_kernel import C_NAMES, ElementwiseKernel

#: Dtypes fusion and the generated kernels compute (NumPy's bool arithmetic has no C twin).
FUSION_DTYPES = tuple(d for d in C_NAMES if d != "bool")

# A step reads ("i", k), the Composite's input k, or ("v", j), the value of step j.
Ref = tuple[str, int]
Step = tuple[Elemwise, tuple[Ref, ...], str]  # (op, operands, output dtype)


class Composite(InPlace, Elemwise):
    """Several elementwise steps computed as one op: ``steps`` in order, the last is the output.
    ``inplace``: the input whose buffer the output takes (inplace.py), or None."""

    __props__ = ("nin", "steps", "inplace")

    def __init__(self, nin: int, steps, inplace: int | None = None):
        self.nin = nin
        self.steps: tuple[Step, ...] = tuple(steps)
        self.inplace = inplace

    def in_place(self, k: int) -> "Composite":
        """This Composite writing its output into input ``k``'s buffer."""
        return Composite(self.nin, self.steps, k)

    def __str__(self):
        return f"Composite{{{self.expression()}}}"

    __repr__ = __str__

    def expression(self, names: list[str] | None = None) -> str:
        """The steps as one expression over ``names`` (default ``i0, i1...``), e.g. ``(i0 + (i1 * i2))``."""
        names = names or [f"i{k}" for k in range(self.nin)]
        shown: list[str] = []
        for op, operands, _ in self.steps:
            shown.append(op.pretty([names[k] if kind == "i" else shown[k] for kind, k in operands]))
        return shown[-1]

    def pretty(self, operands: list[str]) -> str:
        """The whole expression on ``operands``: pprint sees through fusion."""
        return self.expression(operands)

    def make_node(self, *inputs):
        if len(inputs) != self.nin:
            raise WarpbenchError(f"{self} takes {self.nin} input(s), got {len(inputs)}")
        variables = [as_variable(i) for i in inputs]
        ndim = max(v.ndim for v in variables)
        return Apply(self, variables, [output_variable(variables, self.steps[-1][2], ndim)])

    def perform(self, node, inputs, output_storage):
        values: list[np.ndarray] = []
        for op, operands, dtype in self.steps:
            args = [inputs[k] if kind == "i" else values[k] for kind, k in operands]
            values.append(np.asarray(op.impl(*args), dtype=dtype))
        output_storage[0][0] = values[-1]

    def c_operation(self) -> str:
        """The steps as C statements over inputs ``i0, i1...`` setting ``out0``; each step is
        computed in the C type of its output, its operands cast to it (or to the type its op's
        ``c_operand_type`` asks for)."""
        lines, dtypes = [], []
        for j, (op, operands, dtype) in enumerate(self.steps):
            ctype = C_NAMES[dtype]
            otype = op.c_operand_type(ctype)
            names = [f"(({otype})i{k})" if kind == "i" else f"v{k}" if C_NAMES[dtypes[k]] == otype
                     else f"(({otype})v{k})" for kind, k in operands]
            lines.append(f"const {ctype} v{j} = {op.c_expression(names, ctype)};")
            dtypes.append(dtype)
        return "\n".join(lines + [f"out0 = v{len(self.steps) - 1};"])

    # The host implementation is the generated C loop: Elemwise's Cython host code is for
    # single ops, so a Composite goes back to Op's, under which the linker runs the C code.
    perform_host = Op.perform_host
    #: What calls the compiled loop (c_op.c_thunk).
    c_thunk_type = CompositeThunk

    def c_code(self, node, name, inames, onames, sub):
        return composite_c_code(node, self.c_operation(), inames, onames)

    def c_support_code(self):
        return SUPPORT_CODE

    def c_code_cache_version(self):
        return (1,)


def composite_of(op: Elemwise, node: Apply) -> Composite:
    """``op`` itself when it is a Composite, else the one-step Composite of ``node``."""
    if isinstance(op, Composite):
        return op
    operands = tuple(("i", k) for k in range(len(node.inputs)))
    return Composite(len(node.inputs), ((op, operands, node.outputs[0].dtype),))


@functools.lru_cache(maxsize=None)
def composite_kernel(composite: Composite) -> ElementwiseKernel:
    """The ElementwiseKernel of ``composite``: each input its own type placeholder, one output."""
    ops = [type(op).__name__.lower() for op, _, _ in composite.steps]
    name = f"elemwise_{ops[0]}" if len(ops) == 1 else f"composite_{len(ops)}_{digest(str(composite))[:10]}"
    return ElementwiseKernel(", ".join(f"T{k} i{k}" for k in range(composite.nin)),
                             f"{composite.steps[-1][2]} out0", composite.c_operation(), name)


def _has_c(op: Elemwise) -> bool:
    if isinstance(op, Composite):
        return True
    try:
        op.c_expression(["a"] * op.nin, "float")
    except MethodNotDefined:
        return False
    return True


def has_kernel(op, node: Apply) -> bool:
    """Whether the elementwise ``op`` of ``node`` can be generated: C expressions for its
    steps, and dtypes with a C type for its inputs and output."""
    variables = node.inputs + node.outputs
    return isinstance(op, Elemwise) and _has_c(op) and all(v.dtype in FUSION_DTYPES for v in variables)


def elemwise_kernel(op: Elemwise, node: Apply) -> ElementwiseKernel | None:
    """The generated kernel computing ``node`` (whose op is, or wraps, the elementwise ``op``);
    None when it cannot be generated (see :func:`has_kernel`)."""
    return composite_kernel(composite_of(op, node)) if has_kernel(op, node) else None


def launch_elemwise(op: Elemwise, node: Apply, kernel, inputs: list, output_storage: list[list]) -> None:
    """``perform_device`` of an elementwise node: launch its compiled generated ``kernel``,
    into the buffer of the input the node destroys when that one can hold the output."""
    outputs = None
    for k in getattr(node.op, "destroy_map", {}).get(0, ()):
        shape = np.broadcast_shapes(*(tuple(v.shape) for v in inputs if hasattr(v, "shape")))
        if reusable(inputs[k], shape, node.outputs[0].dtype):
            outputs = [inputs[k]]
    (out,) = composite_kernel(composite_of(op, node)).launch(kernel.device, inputs, outputs, kernel=kernel)
    output_storage[0][0] = out


def fuse_elemwise(fg: FunctionGraph) -> int:
    """Replace each group of two or more fusable elementwise nodes by one Composite node (see
    the module docstring); returns the number of Composite nodes made."""
    order = fg.toposort()
    clients: dict[Variable, set] = {}
    for node in order:
        for var in node.inputs:
            clients.setdefault(var, set()).add(node)
    kept = set(fg.outputs)

    def fusable(node: Apply) -> bool:
        return has_kernel(node.op, node)

    absorbed = set()
    for node in order:
        (out,) = node.outputs if len(node.outputs) == 1 else (None,)
        readers = clients.get(out, ())
        if out is not None and fusable(node) and out not in kept and len(readers) == 1:
            (reader,) = readers
            if fusable(reader) and reader.outputs[0].type.device == out.type.device:
                absorbed.add(out)

    def transform(node: Apply):
        if not fusable(node) or node.outputs[0] in absorbed:
            return None
        inputs, steps = _group(node.outputs[0], absorbed)
        if len(steps) < 2:
            return None
        fused = Composite(len(inputs), steps).make_node(*inputs)
        fused.trace = node.trace
        return fused.outputs

    return fg.rewrite(transform)


def _group(root: Variable, absorbed: set) -> tuple[list[Variable], list[Step]]:
    """The leaves and steps of the group computing ``root``, walked left to right without
    recursion (a chain may be long)."""
    inputs: list[Variable] = []
    steps: list[Step] = []
    refs: dict[Variable, Ref] = {}
    stack = [(root, False)]
    while stack:
        var, expanded = stack.pop()
        if var in refs:
            continue
        if var is not root and var not in absorbed:
            inputs.append(var)
            refs[var] = ("i", len(inputs) - 1)
        elif not expanded:
            stack.append((var, True))
            stack.extend((v, False) for v in reversed(var.owner.inputs))
        else:
            operands = tuple(refs[v] for v in var.owner.inputs)
            refs[var] = _append(var.owner.op, operands, var.dtype, steps)
    return inputs, steps


def _append(op: Elemwise, operands: tuple[Ref, ...], dtype: str, steps: list[Step]) -> Ref:
    """Append ``op`` on ``operands`` to ``steps`` (a Composite's steps inlined); its ref."""
    if not isinstance(op, Composite):
        steps.append((op, operands, dtype))
        return ("v", len(steps) - 1)
    local: list[Ref] = []
    for inner, inner_operands, inner_dtype in op.steps:
        resolved = tuple(operands[k] if kind == "i" else local[k] for kind, k in inner_operands)
        steps.append((inner, resolved, inner_dtype))
        local.append(("v", len(steps) - 1))
    return local[-1]
