"""Ops written in C for the CPU: Theano's ``c_code`` contract, adapted to plain pointers.

An op that defines ``c_code(node, name, inames, onames, sub)`` runs it on the host instead of
``perform`` (an op needs no ``perform`` at all then). The code is the body of one generated
C++ function per node type; ``c_support_code()`` (shared helpers) and
``c_support_code_apply(node, name)`` (helpers specialised for this node, ``name`` being a
C identifier unique to it) come before that function, and ``c_code_cache_version()`` goes
into the compile cache's key together with the generated text.

For each input and output, named ``v`` in ``inames``/``onames`` (``wb_in0``, ``wb_out0``...),
the code sees, as Theano's ``%(x)s`` gives a name to format into the code:

- ``v``: a typed pointer to the first element (``npy_float32 *``, ``npy_float64 *``...;
  the ``npy_<dtype>`` typedefs and ``npy_intp`` are defined, so ``npy_%(dtype)s`` works);
- ``nd_v`` (int), ``dims_v`` and ``strides_v`` (``const npy_intp *``, NumPy's extents and
  byte strides; inputs may be strided views), ``n_v`` (the element count).

Outputs are allocated before the call, C-contiguous, with the shapes the op's
``infer_shape`` gives for the inputs' shapes; the code fills them and must not write its
inputs, but for those its op's ``destroy_map`` names (Theano's ``{output: [input]}``): an
output is then that input's array when it can hold it (see inplace.py). ``sub["fail"]``
(``return 1;``) reports failure; ``WB_FAIL("fmt", ...)`` does so with a message, which
becomes the error raised for the node. The generated file is kept under the cache folder
(``c_op/src``), and a compile error names the op and that file's line.
"""
from __future__ import annotations

import ctypes
import re
import weakref

import numpy as np

from warpbench.cache import digest
from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph.basic import Apply
from warpbench.graph.c_compile import HostJob, load
from warpbench.graph.inplace import reusable
from warpbench.graph.op import MethodNotDefined, Op
from warpbench.graph.type import shape_str

ERROR_SIZE = 512
ENTRY = "warpbench_c_op"
_C_TYPES = {"float32": "npy_float32", "float64": "npy_float64", "bool": "npy_bool",
            **{f"{sign}int{bits}": f"npy_{sign}int{bits}" for sign in ("", "u") for bits in (8, 16, 32, 64)}}

PREAMBLE = f"""\
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
typedef float npy_float32;
typedef double npy_float64;
typedef bool npy_bool;
typedef std::ptrdiff_t npy_intp;
static_assert(sizeof(void *) == sizeof(npy_intp), "pointers are passed as npy_intp");
typedef std::int8_t npy_int8;
typedef std::int16_t npy_int16;
typedef std::int32_t npy_int32;
typedef std::int64_t npy_int64;
typedef std::uint8_t npy_uint8;
typedef std::uint16_t npy_uint16;
typedef std::uint32_t npy_uint32;
typedef std::uint64_t npy_uint64;
#define WB_ERROR_SIZE {ERROR_SIZE}
#define WB_FAIL(...) do {{ std::snprintf(wb_error, WB_ERROR_SIZE, __VA_ARGS__); return 1; }} while (0)
static inline npy_intp wb_size(const npy_intp *dims, int nd)
{{
    npy_intp n = 1;
    for (int d = 0; d < nd; ++d) n *= dims[d];
    return n;
}}
"""


def has_c_code(op: Op) -> bool:
    """Whether ``op`` gives C code (defines ``c_code``)."""
    return type(op).c_code is not Op.c_code


def runs_c_code(op: Op) -> bool:
    """Whether a host node of ``op`` runs its C code: it has some and no host code of its own
    (Cython ``perform_host``), which would be preferred."""
    return has_c_code(op) and type(op).perform_host is Op.perform_host


def c_name(node: Apply) -> str:
    """A C identifier for ``node``'s op and input types, the same in every process."""
    base = re.sub(r"\W", "_", type(node.op).__name__)
    return f"{base}_{digest(str(node.op), [str(v.type) for v in node.inputs])[:10]}"


def _declarations(node: Apply, names: list[str]) -> str:
    # wb_args holds the pointers, then every extent, then every stride (see CThunk.__call__).
    variables = node.inputs + node.outputs
    dims = len(variables)
    strides = dims + sum(v.ndim for v in variables)
    lines, offset = ["    void *const *wb_data = (void *const *)wb_args;"], 0
    for k, (var, name) in enumerate(zip(variables, names)):
        ctype = _C_TYPES.get(var.dtype)
        if ctype is None:
            raise DTypeError(f"{node.op}: C code cannot take {var.dtype} ({var}); it takes "
                             f"{', '.join(_C_TYPES)}")
        lines += [f"    {ctype} *{name} = ({ctype} *)wb_data[{k}];",
                  f"    const int nd_{name} = {var.ndim};",
                  f"    const npy_intp *dims_{name} = wb_args + {dims + offset};",
                  f"    const npy_intp *strides_{name} = wb_args + {strides + offset};",
                  f"    const npy_intp n_{name} = wb_size(dims_{name}, nd_{name});"]
        offset += var.ndim
    return "\n".join(lines)


def generate(node: Apply) -> HostJob:
    """The C++ source of ``node``'s op for its input types, as a compile job."""
    op, name = node.op, c_name(node)
    inames = [f"wb_in{k}" for k in range(len(node.inputs))]
    onames = [f"wb_out{k}" for k in range(len(node.outputs))]
    body = op.c_code(node, name, inames, onames, {"fail": "return 1;"})
    text = (f"// {op} on ({', '.join(str(v.type) for v in node.inputs)}), generated by warpbench\n"
            f"{PREAMBLE}\n// c_support_code\n{op.c_support_code()}\n"
            f"// c_support_code_apply\n{op.c_support_code_apply(node, name)}\n"
            f'extern "C" int {ENTRY}(const npy_intp *wb_args, char *wb_error)\n'
            f"{{\n{_declarations(node, inames + onames)}\n"
            f"    {{\n{body}\n    }}\n    return 0;\n}}\n")
    return HostJob(name, f"C code of {op}", text, tuple(op.c_code_cache_version() or ()))


class CThunk:
    """``node``'s compiled C code, called with NumPy arrays: ``thunk(inputs, output_storage)``.

    A call allocates the outputs from ``infer_shape``, packs every pointer, extent and
    stride into one argument array and makes one foreign call.
    """

    def __init__(self, node: Apply):
        self.node = node
        self.function = getattr(load(generate(node)), ENTRY)
        self.function.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        self.function.restype = ctypes.c_int
        variables = node.inputs + node.outputs
        self.packed = ctypes.c_ssize_t * (len(variables) + 2 * sum(v.ndim for v in variables))
        self.error = ctypes.create_string_buffer(ERROR_SIZE)

    def _input(self, k: int, value) -> np.ndarray:
        var = self.node.inputs[k]
        array = np.asarray(value)
        if array.dtype != var.dtype or array.ndim != var.ndim:
            raise DTypeError(f"{self.node.op}: input {k} ({var}) is a {array.dtype} array of shape "
                             f"{shape_str(array.shape)}, its C code takes {var.type}")
        return array

    def _outputs(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        node = self.node
        shapes = node.op.infer_shape(node, [a.shape for a in inputs])
        if shapes is None:
            raise MethodNotDefined(f"{node.op} has C code but no infer_shape: its outputs cannot be allocated")
        outputs, destroy_map = [], getattr(node.op, "destroy_map", {})
        for k, (shape, var) in enumerate(zip(shapes, node.outputs, strict=True)):
            shape = tuple(int(d) for d in shape)
            if len(shape) != var.ndim:
                raise ShapeError(f"{node.op}.infer_shape gives shape {shape_str(shape)} for output {k}, "
                                 f"which is {var.type}")
            destroyed = [j for j in destroy_map.get(k, ()) if reusable(inputs[j], shape, var.dtype)]
            outputs.append(inputs[destroyed[0]] if destroyed else np.empty(shape, var.dtype))
        return outputs

    def __call__(self, inputs: list, output_storage: list[list]) -> None:
        arrays = [self._input(k, v) for k, v in enumerate(inputs)]
        outputs = self._outputs(arrays)
        arrays += outputs
        args = [a.ctypes.data for a in arrays]
        for a in arrays:
            args += a.shape
        for a in arrays:
            args += a.strides
        self.error.value = b""
        status = self.function(self.packed(*args), self.error)
        if status != 0:
            reason = self.error.value.decode(errors="replace").strip() or f"it returned {status}"
            raise WarpbenchError(f"the C code of {self.node.op} failed: {reason}")
        for cell, array in zip(output_storage, outputs):
            cell[0] = array


_thunks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def c_thunk(node: Apply) -> CThunk:
    """The (compiled, loaded) C implementation of ``node``; one per node. An op may call its
    code its own way: a CThunk subclass as its ``c_thunk_type`` (fusion's Composite does)."""
    thunk = _thunks.get(node)
    if thunk is None:
        thunk = _thunks[node] = getattr(node.op, "c_thunk_type", CThunk)(node)
    return thunk


def perform_c(node: Apply, inputs: list, output_storage: list[list]) -> None:
    """Run ``node``'s C code (what ``Op.perform`` does for an op that has only C code)."""
    c_thunk(node)(inputs, output_storage)
