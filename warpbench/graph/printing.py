"""``debugprint``: a graph as text, in Theano's (legacy, the book's) format, with devices;
``pprint``: a variable as one expression.

One line per variable, outputs first, inputs indented under the node using them. The
book's picture, ``transpose(AXPBOp(4, 5)(x.T))`` compiled for "emu" with an AXPBOp that
has only ``perform``::

    HostFromGpu [id A] <emu->cpu> ''   6
     |Transpose [id B] <emu> ''   5
       |GpuFromHost<emu> [id C] <cpu->emu> ''   4
         |AXPBOp{a=4, b=5} [id D] <cpu> ''   3
           |HostFromGpu [id E] <emu->cpu> ''   2
             |Transpose [id F] <emu> ''   1
               |GpuFromHost<emu> [id G] <cpu->emu> ''   0
                 |x [id H]

A node line is ``<op> [id X] <where> '<name>'`` followed, for a compiled function, by the
node's toposort index. ``<where>`` is the device the node runs on ("cpu", "emu", "cuda")
or, for a transfer, the direction ("cpu->emu", ASCII so that any terminal prints it).
Leaves (inputs, constants, shared variables) print as ``<name> [id X]``. A node printed
once shows only its first line when it appears again; children are indented with `` |``
as in Theano (PyTensor's box-drawing style was not chosen: the book shows this one).
"""
from __future__ import annotations

import functools
import sys

from warpbench.errors import WarpbenchError
from warpbench.graph.basic import Constant, Variable
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.transfer import placement


def _letters(n: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'BA': Theano's ids."""
    text = ""
    while True:
        n, digit = divmod(n, 26)
        text = chr(ord("A") + digit) + text
        if n == 0:
            return text


@functools.lru_cache(maxsize=None)
def _notations() -> dict:
    """How pprint writes each op it knows: ("infix", "+"), ("prefix", "-"), ("call", "exp"),
    ("suffix", ".T"), ("extent", None); other ops print as their output (``AXPBOp{a=4, b=5}.0``)."""
    from warpbench.graph import elemwise, linalg, reduction, shape, transfer
    table = {elemwise.Add: ("infix", "+"), elemwise.Sub: ("infix", "-"), elemwise.Mul: ("infix", "*"),
             elemwise.TrueDiv: ("infix", "/"), linalg.Dot: ("infix", "@"), elemwise.Neg: ("prefix", "-"),
             linalg.Transpose: ("suffix", ".T"), shape.ShapeI: ("extent", None),
             transfer.GpuFromHost: ("call", None), transfer.HostFromGpu: ("call", None)}
    for op_class, name in [(elemwise.Exp, "exp"), (elemwise.Tanh, "tanh"), (elemwise.Sigmoid, "sigmoid"),
                           (elemwise.Relu, "relu"), (elemwise.Step, "step"),
                           (reduction.Fill, "fill"), (reduction.SumTo, "sum_to"), (shape.Shape, "shape")]:
        table[op_class] = ("call", name)
    return table


def _number(data) -> str:
    """A 0-d constant as Python writes the number, whole floats without ``.0`` (``2``, ``0.5``)."""
    text = str(data[()])
    return text[:-2] if text.endswith(".0") else text


def pprint(obj) -> str:
    """A variable (or each of a list, one per line) as an expression, as Theano's ``pprint``:
    ``(x * 2) + (4 * x)``; named variables print their name, scalar constants their value,
    and an op pprint does not know as its output, ``AXPBOp{a=4, b=5}.0`` (the book's line)."""
    if not isinstance(obj, Variable):
        return "\n".join(pprint(var) for var in obj)
    table = _notations()

    def show(var, top: bool = False) -> tuple[str, bool]:
        """The text of ``var`` and whether it needs parentheses as an operand."""
        node = var.owner
        if var.name is not None and not top:
            return var.name, False
        if node is None:
            if isinstance(var, Constant) and var.data.ndim == 0:
                return _number(var.data), False
            return str(var), False
        op = getattr(node.op, "scalar_op", node.op)   # a GpuElemwise prints as the op it runs
        kind, symbol = table.get(type(op), (None, None))
        if kind is None and not hasattr(op, "pretty"):
            return f"{node.op}.{var.index}", False
        args = [show(v) for v in node.inputs]
        operands = [f"({text})" if compound else text for text, compound in args]
        if kind is None:  # an op that writes itself (elementwise math, reductions)
            return op.pretty([text for text, _ in args] if len(args) == 1 else operands), False
        if kind == "infix":
            return f" {symbol} ".join(operands), True
        if kind == "prefix":
            return f"{symbol}{operands[0]}", True
        if kind == "suffix":
            return f"{operands[0]}{symbol}", False
        if kind == "extent":
            return f"shape({args[0][0]})[{node.op.i}]", False
        return f"{symbol or node.op}({', '.join(text for text, _ in args)})", False

    return show(obj, top=True)[0]


def debugprint(obj, file=None) -> str:
    """Print the graph of a compiled function (or its FunctionGraph), a variable or a list of
    variables to ``file`` (default stdout) and return the text; ``file="str"`` only returns it,
    as in Theano. See the module docstring."""
    from warpbench.graph.function import Function
    if isinstance(obj, Function):
        obj = obj.fgraph
    if isinstance(obj, FunctionGraph):
        outputs = obj.outputs
        index = {node: i for i, node in enumerate(obj.toposort())}
    else:
        outputs = [obj] if isinstance(obj, Variable) else list(obj)
        index = {}
    ids: dict = {}
    printed: set = set()
    lines: list[str] = []

    def id_of(thing) -> str:
        return ids.setdefault(thing, _letters(len(ids)))

    def visit(var, prefix: str, child_prefix: str) -> None:
        node = var.owner
        if node is None:
            lines.append(f"{prefix}{var} [id {id_of(var)}]")
            return
        op = f"{node.op}.{var.index}" if len(node.outputs) > 1 else str(node.op)
        position = f"   {index[node]}" if node in index else ""
        lines.append(f"{prefix}{op} [id {id_of(node)}] <{placement(node)}> '{var.name or ''}'{position}")
        if node in printed:
            return
        printed.add(node)
        for k, child in enumerate(node.inputs):
            last = k == len(node.inputs) - 1
            visit(child, child_prefix + " |", child_prefix + ("  " if last else " |"))

    for out in outputs:
        visit(out, "", "")
    text = "\n".join(lines) + "\n"
    if file != "str":
        (file or sys.stdout).write(text)
    return text


def _share(seconds: float, total: float) -> str:
    return f"{100 * seconds / total:5.1f}%" if total else "    -"


def print_profile(f, file=None) -> str:
    """Print the profile of a function built with ``profile=True`` (Theano's ProfileStats
    summary: the calls, then per op class, then per node, the first call excluded) to
    ``file`` (default stdout) and return the text."""
    prof = f.profile
    if prof is None:
        raise WarpbenchError(f"{f.name} was compiled without profile=True: no profile to print")
    total = prof.node_total
    first = "none yet" if prof.first_call_seconds is None else f"{prof.first_call_seconds:.3e}s"
    lines = ["Function profiling", "==================",
             f"  Message: {prof.name} on {prof.device}",
             f"  Time in {prof.calls} calls to Function.__call__: {prof.call_seconds:.3e}s "
             f"(first call, excluded: {first})"]
    if prof.calls:
        lines += [f"  Time per call: {prof.call_seconds / prof.calls:.3e}s, in nodes {total / prof.calls:.3e}s "
                  f"({_share(total, prof.call_seconds).strip()}; the rest is the linker and argument handling)"]
    lines += ["", "Class", "---",
              "<% time> <sum %> <apply time> <time per call> <#call> <#apply> <bytes moved> <Class name>"]
    running = 0.0
    for entry in prof.by_class():
        running += entry.seconds
        lines.append(f"  {_share(entry.seconds, total)}  {_share(running, total)}  {entry.seconds:10.3e}s "
                     f"{entry.seconds / max(entry.calls, 1):10.3e}s {entry.calls:6d} {entry.nodes:5d} "
                     f"{entry.transfer_bytes:12d}  {entry.name}")
    lines += ["", "Apply", "---",
              "<% time> <sum %> <apply time> <time per call> <#call> <id> <bytes moved> <Apply name> (where)"]
    running = 0.0
    for i in prof.by_node():
        seconds, node = prof.node_seconds[i], prof.nodes[i]
        running += seconds
        lines.append(f"  {_share(seconds, total)}  {_share(running, total)}  {seconds:10.3e}s "
                     f"{seconds / max(prof.node_calls[i], 1):10.3e}s {prof.node_calls[i]:6d} {i:4d} "
                     f"{prof.transfer_bytes[i]:12d}  {node} ({placement(node)})")
    text = "\n".join(lines) + "\n"
    if file != "str":
        (file or sys.stdout).write(text)
    return text
