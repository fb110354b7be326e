"""Indexing: ``x[i]``, ``x[:, 1:3]``, ``x[ids]`` (an integer vector picks rows, e.g. embeddings),
``x[a, b]`` (advanced_subtensor.py), and their adjoints ``inc_subtensor`` / ``set_subtensor``, with Theano's names.

Basic indexing (:class:`Subtensor`) keeps the structure of the index in its props (which
entries are integers, which slices, which slice parts are given) and takes the integers
themselves as int scalar inputs, so ``x[i:i + n]`` with symbolic ``i`` and ``n`` is one op
for every value. The gradient of an index writes the output gradient into zeros of the
input's shape (``inc_subtensor``); rows picked twice add up (``np.add.at``).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph.advanced_subtensor import AdvancedIncSubtensor, AdvancedSubtensor
from warpbench.graph.basic import Apply, Constant, Variable, as_variable, constant
from warpbench.graph.op import Op, output_variable
from warpbench.graph.reduction import fill, sum_to
from warpbench.graph.type import shape_str

#: An index entry: ("int",) or ("slice", has_start, has_stop, has_step).
INT = ("int",)


class SubtensorIndexError(ShapeError, IndexError):
    """An index that cannot apply to a variable (too many entries, a float, a step of 0)."""


def _scalar_input(what: str, value) -> Variable:
    var = constant(value, "int64") if isinstance(value, (int, np.integer)) else as_variable(value)
    if var.ndim != 0 or var.dtype[:3] not in ("int", "uin"):
        raise SubtensorIndexError(f"{what}: an index must be an integer or an integer scalar variable, "
                                  f"got {var} of type {var.type}")
    return var


def parse_index(what: str, x: Variable, index) -> tuple[tuple, list[Variable]]:
    """The props entries and scalar inputs of the basic index ``index`` on ``x``."""
    entries = index if isinstance(index, tuple) else (index,)
    if any(e is Ellipsis for e in entries):
        at = entries.index(Ellipsis)
        fill_in = (slice(None),) * (x.ndim - len(entries) + 1)
        entries = entries[:at] + fill_in + entries[at + 1:]
    if len(entries) > x.ndim:
        raise SubtensorIndexError(f"{what}: {len(entries)} indices for {x}, which has {x.ndim} dimension(s)")
    idx_list, scalars = [], []
    for entry in entries:
        if isinstance(entry, slice):
            parts = (entry.start, entry.stop, entry.step)
            if isinstance(entry.step, (int, np.integer)) and entry.step == 0:
                raise SubtensorIndexError(f"{what}: a slice step cannot be 0")
            idx_list.append(("slice",) + tuple(p is not None for p in parts))
            scalars.extend(_scalar_input(what, p) for p in parts if p is not None)
        elif entry is None:
            raise SubtensorIndexError(f"{what}: None (newaxis) is not an index here; use x.dimshuffle(..., 'x', ...)")
        else:
            idx_list.append(INT)
            scalars.append(_scalar_input(what, entry))
    return tuple(idx_list), scalars


def _numpy_index(idx_list, values) -> tuple:
    """The NumPy index for ``idx_list`` filled with the scalar ``values``."""
    values = iter(int(v) for v in values)
    index = []
    for entry in idx_list:
        if entry == INT:
            index.append(next(values))
        else:
            index.append(slice(*(next(values) if given else None for given in entry[1:])))
    return tuple(index)


def _show(idx_list) -> str:
    parts = []
    for entry in idx_list:
        if entry == INT:
            parts.append("int64")
        else:
            shown = ":".join("int64" if given else "" for given in entry[1:])
            parts.append(shown[:-1] if shown.endswith(":") else shown)
    return ", ".join(parts)


def _constant_values(scalars) -> list | None:
    return [v.data for v in scalars] if all(isinstance(v, Constant) for v in scalars) else None


class Subtensor(Op):
    """``x[index]`` for a basic index (integers and slices); integers are inputs."""

    __props__ = ("idx_list",)

    def __init__(self, idx_list):
        self.idx_list = tuple(idx_list)

    def __str__(self):
        return f"Subtensor{{{_show(self.idx_list)}}}"

    def make_node(self, x, *scalars):
        x = as_variable(x)
        if len(self.idx_list) > x.ndim:
            raise SubtensorIndexError(f"{self}: {len(self.idx_list)} indices for {x} ({x.ndim}-D)")
        ndim = x.ndim - sum(entry == INT for entry in self.idx_list)
        return Apply(self, [x, *scalars], [output_variable([x], x.dtype, ndim)])

    def perform(self, node, inputs, output_storage):
        x, *scalars = inputs
        output_storage[0][0] = np.array(x[_numpy_index(self.idx_list, scalars)], copy=True, order="C")

    def infer_shape(self, node, input_shapes):
        values = _constant_values(node.inputs[1:])
        if values is None:
            return None
        probe = np.broadcast_to(np.int8(0), input_shapes[0])
        return [probe[_numpy_index(self.idx_list, values)].shape]

    def grad(self, inputs, output_grads):
        x, *scalars = inputs
        (g,) = output_grads
        return [IncSubtensor(self.idx_list)(zeros_like_of(x, g), g, *scalars)] + [None] * len(scalars)


class IncSubtensor(Op):
    """A copy of x with ``y`` added to (or, ``set_instead_of_inc``, written into) ``x[index]``."""

    __props__ = ("idx_list", "set_instead_of_inc")

    def __init__(self, idx_list, set_instead_of_inc: bool = False):
        self.idx_list, self.set_instead_of_inc = tuple(idx_list), bool(set_instead_of_inc)

    def __str__(self):
        kind = "Set" if self.set_instead_of_inc else "Inc"
        return f"{kind}Subtensor{{{_show(self.idx_list)}}}"

    def make_node(self, x, y, *scalars):
        x = as_variable(x)
        y = as_variable(y, like=x)
        return Apply(self, [x, y, *scalars], [output_variable([x, y], x.dtype, x.ndim)])

    def perform(self, node, inputs, output_storage):
        x, y, *scalars = inputs
        out = np.array(x, copy=True, order="C")
        index = _numpy_index(self.idx_list, scalars)
        if self.set_instead_of_inc:
            out[index] = y
        else:
            out[index] += y
        output_storage[0][0] = out

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[0])]

    def grad(self, inputs, output_grads):
        x, y, *scalars = inputs
        (g,) = output_grads
        gx = IncSubtensor(self.idx_list, True)(g, np.zeros((), g.dtype), *scalars) if self.set_instead_of_inc else g
        gy = sum_to(Subtensor(self.idx_list)(g, *scalars), y)
        return [gx, gy] + [None] * len(scalars)


def _int_vector(what: str, ids) -> Variable:
    var = as_variable(np.asarray(ids) if isinstance(ids, (list, np.ndarray)) else ids)
    if var.ndim != 1 or var.dtype[:3] not in ("int", "uin"):
        raise DTypeError(f"{what}: integer-array indexing needs an integer vector, got {var} of type {var.type}")
    return var


class AdvancedSubtensor1(Op):
    """``x[ids]`` for an integer vector ``ids``: the rows of x it names, in order (repeats allowed)."""

    __props__ = ()

    def make_node(self, x, ids):
        x = as_variable(x)
        ids = _int_vector(str(self), ids)
        if x.ndim < 1:
            raise SubtensorIndexError(f"{self}: cannot pick rows of the scalar {x}")
        return Apply(self, [x, ids], [output_variable([x, ids], x.dtype, x.ndim)])

    def perform(self, node, inputs, output_storage):
        x, ids = inputs
        output_storage[0][0] = np.array(x[ids], copy=True, order="C")

    def device_kernel(self, node):
        """The embedding gather for a float matrix and int32 ids, else None (host)."""
        suffix = _embedding_suffix(node.inputs[0], node.inputs[1])
        return None if suffix is None else f"embedding_gather{suffix}"

    def perform_device(self, node, kernel, inputs, output_storage):
        x, ids = inputs
        ids = _device_ids(self, ids, x.shape[0], kernel.device)
        out = kernel.device.empty((ids.shape[0], x.shape[1]), x.dtype)
        kernel.launch_problem(_embedding_problem(x, ids), {"out": out, "table": x, "ids": ids})
        output_storage[0][0] = out

    def infer_shape(self, node, input_shapes):
        x, ids = input_shapes
        return [tuple(ids) + tuple(x[1:])]

    def grad(self, inputs, output_grads):
        x, ids = inputs
        (g,) = output_grads
        return [AdvancedIncSubtensor1()(zeros_like_of(x, g), g, ids), None]


class AdvancedIncSubtensor1(Op):
    """A copy of x with ``y`` added to (or written into) the rows ``ids``; repeated rows add up."""

    __props__ = ("set_instead_of_inc",)

    def __init__(self, set_instead_of_inc: bool = False):
        self.set_instead_of_inc = bool(set_instead_of_inc)

    def __str__(self):
        return f"Advanced{'Set' if self.set_instead_of_inc else 'Inc'}Subtensor1"

    def make_node(self, x, y, ids):
        x = as_variable(x)
        y, ids = as_variable(y, like=x), _int_vector(str(self), ids)
        return Apply(self, [x, y, ids], [output_variable([x, y, ids], x.dtype, x.ndim)])

    def perform(self, node, inputs, output_storage):
        x, y, ids = inputs
        out = np.array(x, copy=True, order="C")
        if self.set_instead_of_inc:
            out[ids] = y
        else:
            np.add.at(out, ids, y)
        output_storage[0][0] = out

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[0])]

    def device_kernel(self, node):
        """The deterministic embedding scatter-add (no atomics: each row has one writer, adding
        in np.add.at's order) for adding float rows at int32 ids, else None (host)."""
        x, y, ids = node.inputs
        suffix = _embedding_suffix(x, ids)
        if self.set_instead_of_inc or suffix is None or y.ndim != 2 or y.dtype != x.dtype:
            return None
        return f"embedding_scatter_owned{suffix}"

    def perform_device(self, node, kernel, inputs, output_storage):
        x, y, ids = inputs
        ids = _device_ids(self, ids, x.shape[0], kernel.device)
        if tuple(y.shape) != (ids.shape[0], x.shape[1]):
            raise ShapeError(f"{self}: rows of shape {shape_str(y.shape)} do not fit {ids.shape[0]} ids "
                             f"into a {shape_str(x.shape)} array")
        out = kernel.device.empty(x.shape, x.dtype)
        kernel.device.copy_device_to_device(out, x)
        kernel.launch_problem(_embedding_problem(x, ids), {"dtable": out, "dout": y, "ids": ids})
        output_storage[0][0] = out

    def grad(self, inputs, output_grads):
        x, y, ids = inputs
        (g,) = output_grads
        gx = AdvancedIncSubtensor1(True)(g, np.zeros((), g.dtype), ids) if self.set_instead_of_inc else g
        return [gx, sum_to(AdvancedSubtensor1()(g, ids), y), None]


def _embedding_suffix(x: Variable, ids: Variable) -> str | None:
    """The kernel-name suffix of the embedding kernels for a float matrix and int32 ids, or None."""
    if x.ndim != 2 or ids.dtype != "int32" or x.dtype not in ("float32", "float64"):
        return None
    return "_f64" if x.dtype == "float64" else ""


def _embedding_problem(x, ids) -> dict:
    return {"V": x.shape[0], "D": x.shape[1], "ids_shape": tuple(ids.shape), "count": int(ids.shape[0]),
            "dtype": np.dtype(x.dtype).name}


def _device_ids(op, ids, rows: int, device):
    """``ids`` as the kernels take them: negative ids counted from the end as NumPy does, and an
    IndexError naming the op for one outside -rows..rows-1 (a kernel would touch memory out of
    bounds). The ids are read back: they are small next to the rows they move."""
    values = device.to_host(ids)
    if values.size and (values.min() < -rows or values.max() >= rows):
        bad = values[(values < -rows) | (values >= rows)][0]
        raise SubtensorIndexError(f"{op}: id {bad} is out of range for {rows} rows")
    if values.size and values.min() < 0:
        return device.to_device(np.where(values < 0, values + rows, values).astype(np.int32))
    return ids


def zeros_like_of(x: Variable, g: Variable) -> Variable:
    """Zeros of x's shape in g's dtype (the canvas a gradient is written into)."""
    return fill(x, np.zeros((), g.dtype))


def getitem(x: Variable, index) -> Variable:
    """``x[index]``: integer-array indexing when ``index`` is an integer vector (or a list of
    integers), else basic indexing."""
    def is_array(entry):
        return isinstance(entry, (list, np.ndarray)) or (isinstance(entry, Variable) and entry.ndim == 1)

    if isinstance(index, tuple) and len(index) == 1:
        index = index[0]
    what = f"{x}[{index!r}]"
    if is_array(index):
        return AdvancedSubtensor1()(x, index)
    if isinstance(index, tuple) and any(is_array(entry) for entry in index):
        if any(isinstance(entry, slice) or entry is Ellipsis or entry is None for entry in index):
            raise SubtensorIndexError(f"{what}: integer arrays index the leading axes only (x[a, b]); "
                                      f"mixed with slices, index the result again (x[a][:, 1:])")
        return AdvancedSubtensor()(x, *index)
    idx_list, scalars = parse_index(what, x, index)
    return Subtensor(idx_list)(x, *scalars)


def _write(x: Variable, y, set_instead_of_inc: bool, name: str) -> Variable:
    node = x.owner if isinstance(x, Variable) else None
    if node is not None and isinstance(node.op, Subtensor):
        base, *scalars = node.inputs
        return IncSubtensor(node.op.idx_list, set_instead_of_inc)(base, y, *scalars)
    if node is not None and isinstance(node.op, AdvancedSubtensor1):
        base, ids = node.inputs
        return AdvancedIncSubtensor1(set_instead_of_inc)(base, y, ids)
    if node is not None and isinstance(node.op, AdvancedSubtensor):
        base, *ids = node.inputs
        return AdvancedIncSubtensor(set_instead_of_inc)(base, y, *ids)
    raise WarpbenchError(f"{name}: the first argument must be an indexed variable such as x[1:3] or x[ids], "
                         f"got {x}")


def inc_subtensor(x: Variable, y) -> Variable:
    """The variable ``x`` was indexed from, with ``y`` added at that index (``x`` is ``a[...]``)."""
    return _write(x, y, False, "inc_subtensor")


def set_subtensor(x: Variable, y) -> Variable:
    """The variable ``x`` was indexed from, with ``y`` written at that index (``x`` is ``a[...]``)."""
    return _write(x, y, True, "set_subtensor")
