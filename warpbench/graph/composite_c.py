"""The host side of a fused node: one generated C loop through the C-op contract (c_op.py).

A :class:`~warpbench.graph.fusion.Composite` gives its steps as C statements over ``i0,
i1...`` setting ``out0`` (``Composite.c_operation``); :func:`composite_c_code` wraps them in
a loop over the output, which the C-op contract allocates C-contiguous with the broadcast
shape. Two loops are generated:

- *dense*: every input that is not 0-d is C-contiguous with the output's shape (the usual
  case, and the one the compiler vectorises): one flat loop, 0-d inputs read once;
- *strided*: anything else (strided views, size-1 or missing leading dimensions): each
  input's byte strides padded to the output's rank, 0 where it broadcasts, and an odometer
  over the outer dimensions around a loop over the last one.

The output may be one of the inputs' buffers (an in-place node, inplace.py): that input
then has the output's shape and layout, so each element is read before it is written.

:class:`CompositeThunk` calls the compiled loop with less Python around it than the
generic :class:`~warpbench.graph.c_op.CThunk` (a fused node is on every host graph's
path): constants' pointers packed once, the broadcast shape without ``infer_shape``,
addresses through the buffer protocol; any argument it does not expect goes the
generic, checked way.
"""
from __future__ import annotations

import ctypes

import numpy as np

from warpbench.graph.basic import Apply, Constant
from warpbench.graph.c_op import CThunk
from warpbench.graph.inplace import reusable
from warpbench.kernels.elementwise_kernel import C_NAMES


def _loads(node: Apply, inames: list[str], index: str, pointers: list[str]) -> list[str]:
    """``const T i<k> = ...;`` for every input: 0-d ones from their hoisted value."""
    lines = []
    for k, (var, pointer) in enumerate(zip(node.inputs, pointers)):
        ctype = C_NAMES[var.dtype]
        source = f"wb_c{k}" if var.ndim == 0 else pointer.format(index=index, ctype=ctype)
        lines.append(f"const {ctype} i{k} = {source};")
    return lines


def _body(node: Apply, operation: str, loads: list[str], store: str) -> str:
    out_type = C_NAMES[node.outputs[0].dtype]
    return "\n".join(loads + [f"{out_type} out0;", "{", operation, "}", store])


def _indent(text: str, depth: int) -> str:
    return "\n".join(" " * depth + line for line in text.splitlines())


def composite_c_code(node: Apply, operation: str, inames: list[str], onames: list[str]) -> str:
    """The C body computing ``node`` (a Composite's node) from its steps ``operation``."""
    (out,) = onames
    nd = node.outputs[0].ndim
    out_type = C_NAMES[node.outputs[0].dtype]
    arrays = [k for k, var in enumerate(node.inputs) if var.ndim > 0]
    lines = [f"const {C_NAMES[var.dtype]} wb_c{k} = (({C_NAMES[var.dtype]} *){name})[0];"
             for k, (var, name) in enumerate(zip(node.inputs, inames)) if var.ndim == 0]
    lines += ["bool wb_dense = true;"]
    lines += [f"wb_dense = wb_dense && wb_is_dense(nd_{inames[k]}, dims_{inames[k]}, strides_{inames[k]}, "
              f"nd_{out}, dims_{out}, sizeof(*{inames[k]}));" for k in arrays]
    dense_ptrs = [f"((const {C_NAMES[v.dtype]} *){name})[{{index}}]" for v, name in zip(node.inputs, inames)]
    dense = _body(node, operation, _loads(node, inames, "wb_j", dense_ptrs), f"(({out_type} *){out})[wb_j] = out0;")
    lines += ["if (wb_dense) {", "    #pragma GCC ivdep", f"    for (npy_intp wb_j = 0; wb_j < n_{out}; ++wb_j) {{",
              _indent(dense, 8), "    }", "    return 0;", "}"]
    if nd == 0:  # every input is 0-d too: the dense loop is the only one
        return "\n".join(lines)
    strided_ptrs = [f"*(const {{ctype}} *)(wb_p{k} + {{index}} * wb_s{k}[{nd - 1}])" for k in range(len(inames))]
    strided = _body(node, operation, _loads(node, inames, "wb_j", strided_ptrs),
                    f"(({out_type} *){out})[wb_o * wb_inner + wb_j] = out0;")
    lines += [f"npy_intp wb_idx[{nd}] = {{0}};"]
    for k in arrays:
        name = inames[k]
        lines += [f"npy_intp wb_s{k}[{nd}];",
                  f"wb_broadcast_strides(nd_{name}, dims_{name}, strides_{name}, {nd}, wb_s{k});",
                  f"const char *wb_p{k} = (const char *){name};"]
    advance = [f"wb_p{k} += wb_s{k}[wb_d];" for k in arrays]
    rewind = [f"wb_p{k} -= wb_s{k}[wb_d] * dims_{out}[wb_d];" for k in arrays]
    lines += [f"const npy_intp wb_inner = dims_{out}[{nd - 1}];",
              f"const npy_intp wb_outer = wb_inner ? n_{out} / wb_inner : 0;",
              "for (npy_intp wb_o = 0; wb_o < wb_outer; ++wb_o) {",
              "    for (npy_intp wb_j = 0; wb_j < wb_inner; ++wb_j) {", _indent(strided, 8), "    }",
              f"    for (int wb_d = {nd - 2}; wb_d >= 0; --wb_d) {{",
              *("        " + a for a in advance),
              f"        if (++wb_idx[wb_d] < dims_{out}[wb_d]) break;",
              "        wb_idx[wb_d] = 0;",
              *("        " + r for r in rewind),
              "    }", "}"]
    return "\n".join(lines)


#: Helpers of every Composite's C code (``c_support_code``).
SUPPORT_CODE = """\
// g++ vectorises a loop whose trip count is not known at -O3 only (the host flags say -O2);
// integers wrap on overflow, as in NumPy.
#pragma GCC optimize("O3", "wrapv")

// Whether an input is C-contiguous with the output's shape (then it is read at the output's index).
static inline bool wb_is_dense(int nd, const npy_intp *dims, const npy_intp *strides, int out_nd,
                               const npy_intp *out_dims, npy_intp itemsize)
{
    if (nd != out_nd) return false;
    npy_intp step = itemsize;
    for (int d = nd - 1; d >= 0; --d) {
        if (dims[d] != out_dims[d]) return false;
        if (dims[d] != 1 && strides[d] != step) return false;
        step *= dims[d];
    }
    return true;
}

// An input's byte strides at the output's rank: 0 for missing leading and size-1 dimensions.
static inline void wb_broadcast_strides(int nd, const npy_intp *dims, const npy_intp *strides, int out_nd,
                                        npy_intp *out)
{
    for (int d = 0; d < out_nd; ++d) {
        const int own = d - (out_nd - nd);
        out[d] = (own < 0 || dims[own] == 1) ? 0 : strides[own];
    }
}
"""


def _address(array: np.ndarray) -> int:
    """The address of ``array``'s first element (the buffer protocol is the quick way; it
    refuses read-only and empty arrays, which ``ctypes.data`` takes)."""
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(array))
    except (TypeError, ValueError):
        return array.ctypes.data


class CompositeThunk(CThunk):
    """The compiled C loop of a Composite node, called as ``thunk(inputs, output_storage)``."""

    def __init__(self, node: Apply):
        super().__init__(node)
        self.dtypes = [np.dtype(v.dtype) for v in node.inputs]
        self.ndims = [v.ndim for v in node.inputs]
        self.out_dtype = np.dtype(node.outputs[0].dtype)
        self.out_ndim = node.outputs[0].ndim
        self.destroyed = node.op.inplace
        # A constant's value is the same array every call: its part of the arguments is packed once.
        self.constants = {k: (v.data, _address(v.data), v.data.shape, v.data.strides)
                          for k, v in enumerate(node.inputs) if isinstance(v, Constant)
                          and isinstance(v.data, np.ndarray) and v.data.dtype == self.dtypes[k]}

    def __call__(self, inputs: list, output_storage: list[list]) -> None:
        pointers, shapes, strides, extents = [], [], [], []
        for k, value in enumerate(inputs):
            known = self.constants.get(k)
            if known is not None and value is known[0]:
                _, address, shape, step = known
            elif type(value) is np.ndarray and value.dtype == self.dtypes[k] and value.ndim == self.ndims[k]:
                address, shape, step = _address(value), value.shape, value.strides
            else:  # something unexpected: the generic call checks it and names what is wrong
                return super().__call__(inputs, output_storage)
            pointers.append(address)
            shapes.append(shape)
            extents += shape
            strides += step
        out_shape = self._broadcast(shapes)
        if out_shape is None:  # shapes that do not broadcast: the generic call says which
            return super().__call__(inputs, output_storage)
        destroyed = None if self.destroyed is None else inputs[self.destroyed]
        out = destroyed if destroyed is not None and reusable(destroyed, out_shape, self.out_dtype) else \
            np.empty(out_shape, self.out_dtype)
        pointers.append(_address(out))
        if self.function(self.packed(*pointers, *extents, *out.shape, *strides, *out.strides), self.error):
            return super().__call__(inputs, output_storage)  # which reports the failure
        output_storage[0][0] = out

    def _broadcast(self, shapes: list[tuple]) -> tuple | None:
        """The output's shape; None when ``shapes`` do not broadcast to one of its rank."""
        full = [shape for shape in shapes if shape]
        if not full or (full.count(full[0]) == len(full) and len(full[0]) == self.out_ndim):
            out = full[0] if full else ()
        else:
            try:
                out = np.broadcast_shapes(*shapes)
            except ValueError:
                return None
        return out if len(out) == self.out_ndim else None
