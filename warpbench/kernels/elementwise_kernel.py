"""CuPy's ``ElementwiseKernel``: a loop body in CUDA C, made into one kernel per argument signature.

::

    axpb = ElementwiseKernel("T x, float32 a, float32 b", "T z", "z = a * x + b", "axpb")
    z = axpb(x, 4.0, 5.0)                   # x a device array; z allocated, broadcast shape
    axpb(x, 4.0, 5.0, z)                    # into a given output

Semantics as in CuPy: parameters are ``"<type> <name>"`` with a NumPy dtype name or a type
placeholder (``T``) bound from the arguments' dtypes (arrays first, then scalars);
``raw`` marks an array indexed by hand (``x[j]``); the body sees one element of every
other argument, the outputs as references, and ``i``, the index of the element. Inputs
broadcast against each other (NumPy rules); a Python or NumPy scalar is passed by value.
Called with graph variables, it builds a graph node (:class:`warpbench.graph.gpu_op.ElementwiseOp`).

Each signature (argument dtypes, which arguments are scalars, output ndim) generates
one ``__global__`` function, a grid-stride loop with the registry's ``BLOCK`` and
``BLOCKS_PER_SM`` tunables, compiled as a user kernel (:func:`warpbench.kernels.user.kernel_spec`).
CuPy features left out: ``reduce_dims``, ``options``, ``_ind``, and ``size`` next to non-raw arrays.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.kernels.spec import IN, OUT, SCALAR, KernelSpec, Param
from warpbench.kernels.specs.geometry import GRID_STRIDE_RULES, GRID_STRIDE_TUNABLES, grid_stride_geometry
from warpbench.kernels.user import check_arrays_on, kernel_spec, target_device

#: The dtypes a generated kernel computes, with their C names.
C_NAMES = {"bool": "bool", "int8": "signed char", "int16": "short", "int32": "int", "int64": "long long",
           "uint8": "unsigned char", "uint16": "unsigned short", "uint32": "unsigned int",
           "uint64": "unsigned long long", "float32": "float", "float64": "double"}
VALUE, ARRAY, RAW = "value", "array", "raw"


@dataclass(frozen=True)
class ParamDecl:
    """One parameter of an ElementwiseKernel: its type as written, its dtype (None for a
    placeholder bound from the arguments, such as ``T``) and ``raw``."""

    name: str
    type: str
    dtype: str | None
    raw: bool = False

    @property
    def is_placeholder(self) -> bool:
        """True when the type is bound from the arguments (``T``)."""
        return self.dtype is None


def parse_params(text: str, kernel: str) -> tuple[ParamDecl, ...]:
    """``"T x, raw float32 y"`` as parameter declarations; WarpbenchError for a malformed one."""
    decls = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        words = part.split()
        raw = words[0] == "raw"
        words = words[1:] if raw else words
        if len(words) != 2 or not all(w.isidentifier() for w in words):
            raise WarpbenchError(f"ElementwiseKernel '{kernel}': parameter '{part}' is not '[raw] <type> <name>'")
        type_name, name = words
        if name == "i" or name.startswith("_"):
            raise WarpbenchError(f"ElementwiseKernel '{kernel}': parameter name '{name}' is reserved "
                                 f"(i is the element index, names starting with _ are the kernel's)")
        decls.append(ParamDecl(name, type_name, np.dtype(type_name).name if _is_dtype(type_name) else None, raw))
    return tuple(decls)


def _is_dtype(name: str) -> bool:
    try:
        np.dtype(name)
    except TypeError:
        return False
    return len(name) > 1  # single letters (T, U) are placeholders, as in CuPy


@dataclass(frozen=True)
class Signature:
    """What one generated kernel is specialized for."""

    inputs: tuple[tuple[str, str, str], ...]   # (kind, dtype of the argument, dtype of the parameter)
    outputs: tuple[str, ...]                   # dtypes of the outputs
    ndim: int                                  # of the broadcast shape
    types: tuple[tuple[str, str], ...]         # placeholder -> dtype


HOST, OTHER = "host", "other"  # what an argument may be besides a value or a device array: refused


def _kind_and_dtype(value) -> tuple[str, str]:
    if isinstance(value, (bool, int, float)):
        return VALUE, np.asarray(value).dtype.name
    if isinstance(value, (np.generic, np.ndarray)):
        return (VALUE if np.ndim(value) == 0 else HOST), value.dtype.name
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        return ARRAY, np.dtype(value.dtype).name
    return OTHER, type(value).__name__


class ElementwiseKernel:
    """CuPy's ``ElementwiseKernel(in_params, out_params, operation, name)``; see the module docstring."""

    def __init__(self, in_params: str, out_params: str, operation: str, name: str = "kernel", *,
                 preamble: str = "", loop_prep: str = "", after_loop: str = "", no_return: bool = False,
                 return_tuple: bool = False):
        if not name.isidentifier():
            raise WarpbenchError(f"ElementwiseKernel name {name!r} is not a C identifier")
        self.name, self.operation = name, operation
        self.in_params, self.out_params = parse_params(in_params, name), parse_params(out_params, name)
        names = [p.name for p in self.in_params + self.out_params]
        if len(set(names)) != len(names) or not self.out_params:
            raise WarpbenchError(f"ElementwiseKernel '{name}': parameters {', '.join(names)} need one output "
                                 f"or more and distinct names")
        self.preamble, self.loop_prep, self.after_loop = preamble, loop_prep, after_loop
        self.no_return, self.return_tuple = no_return, return_tuple
        self._specs: dict[Signature, KernelSpec] = {}
        self._kernels: dict = {}

    def __repr__(self) -> str:
        return f"ElementwiseKernel({self.name!r})"

    @property
    def nin(self) -> int:
        """Number of input parameters."""
        return len(self.in_params)

    # -- signatures -------------------------------------------------------------------

    def signature(self, inputs: list[tuple[str, str]], outputs: list[str | None], ndim: int) -> Signature:
        """The signature for inputs given as (kind, dtype) and outputs as dtypes (None: to be
        inferred); DTypeError naming the kernel and parameter when the dtypes do not fit."""
        types: dict[str, str] = {}

        def bind(param, dtype, strong):
            if not param.is_placeholder or (not strong and param.type in types):
                return
            if types.setdefault(param.type, dtype) != dtype:
                raise DTypeError(f"ElementwiseKernel '{self.name}': type {param.type} is {types[param.type]} "
                                 f"but {param.name} is {dtype}")
        for param, (kind, dtype) in zip(self.in_params, inputs):
            if kind != VALUE:
                bind(param, dtype, True)
        for param, dtype in zip(self.out_params, outputs):
            if dtype is not None:
                bind(param, dtype, True)
        for param, (kind, dtype) in zip(self.in_params, inputs):
            if kind == VALUE:
                bind(param, dtype, False)

        def declared(param):
            dtype = types.get(param.type, param.dtype)
            if dtype is None:
                raise DTypeError(f"ElementwiseKernel '{self.name}': no argument tells the type {param.type} "
                                 f"of {param.name}")
            if dtype not in C_NAMES:
                raise DTypeError(f"ElementwiseKernel '{self.name}': {param.name} is {dtype}; generated kernels "
                                 f"compute {', '.join(C_NAMES)}")
            return dtype
        ins = []
        for param, (kind, dtype) in zip(self.in_params, inputs):
            want = declared(param)
            if dtype not in C_NAMES or not np.can_cast(dtype, want, "same_kind"):
                raise DTypeError(f"ElementwiseKernel '{self.name}': {param.name} needs {want}, got {dtype}")
            ins.append((RAW if param.raw else kind, dtype, want))
        outs = tuple(declared(p) for p in self.out_params)
        for param, dtype, want in zip(self.out_params, outputs, outs):
            if dtype is not None and dtype != want:
                raise DTypeError(f"ElementwiseKernel '{self.name}': output {param.name} needs {want}, got {dtype}")
        return Signature(tuple(ins), outs, ndim, tuple(sorted(types.items())))

    def output_dtypes(self, variables) -> tuple[str, ...]:
        """The output dtypes of a graph node on these input variables."""
        return self.signature(graph_kinds(variables), [None] * len(self.out_params), 0).outputs

    def spec(self, sig: Signature) -> KernelSpec:
        """The user-kernel spec of the kernel generated for ``sig``."""
        if sig not in self._specs:
            params = self._params(sig)
            self._specs[sig] = kernel_spec(self._source(sig, params), self.name, params=params,
                                           geometry=grid_stride_geometry, tunables=GRID_STRIDE_TUNABLES,
                                           restrictions=GRID_STRIDE_RULES,
                                           summary=f"ElementwiseKernel {self.name}")
        return self._specs[sig]

    def spec_for(self, node) -> KernelSpec:
        """The spec for a graph node with one input per input parameter (see :func:`graph_kinds`)."""
        sig = self.signature(graph_kinds(node.inputs), [o.dtype for o in node.outputs], node.outputs[0].ndim)
        return self.spec(sig)

    # -- code generation --------------------------------------------------------------

    def _params(self, sig: Signature) -> tuple[Param, ...]:
        params = []
        for decl, (kind, dtype, want) in zip(self.in_params, sig.inputs):
            if kind == VALUE:
                params.append(Param(f"_v_{decl.name}", C_NAMES[want], SCALAR))
            else:
                params.append(Param(decl.name if kind == RAW else f"_in_{decl.name}", f"const {C_NAMES[dtype]}*", IN))
        for decl, dtype in zip(self.out_params, sig.outputs):
            params.append(Param(decl.name if decl.raw else f"_out_{decl.name}", f"{C_NAMES[dtype]}*", OUT))
        params += [Param("_n", "long long"), Param("_contiguous", "int")]
        params += [Param(f"_d{k}", "long long") for k in range(sig.ndim)]
        for decl, (kind, _, _) in zip(self.in_params, sig.inputs):
            if kind == ARRAY:
                params += [Param(f"_s_{decl.name}_{k}", "long long") for k in range(sig.ndim)]
        return tuple(params)

    def _source(self, sig: Signature, params: tuple[Param, ...]) -> str:
        arrays = [d.name for d, (kind, _, _) in zip(self.in_params, sig.inputs) if kind == ARRAY]
        lines = [f"typedef {C_NAMES[dtype]} {name};" for name, dtype in sig.types]
        lines += [self.loop_prep] if self.loop_prep else []
        lines += ["for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < _n;"
                  " i += (long long)gridDim.x * blockDim.x) {"]
        if arrays:
            lines.append("    long long " + ", ".join(f"_o_{a} = i" for a in arrays) + ";")
        if arrays and sig.ndim:
            lines.append("    if (!_contiguous) {")
            lines.append("        long long _r = i, _c;")
            for k in reversed(range(sig.ndim)):
                step = f"_c = _r % _d{k}; _r /= _d{k};" if k else "_c = _r;"
                assign = "=" if k == sig.ndim - 1 else "+="
                lines.append(f"        {step} " + " ".join(f"_o_{a} {assign} _c * _s_{a}_{k};" for a in arrays))
            lines.append("    }")
        for decl, (kind, _, want) in zip(self.in_params, sig.inputs):
            if kind != RAW:
                source = f"_v_{decl.name}" if kind == VALUE else f"_in_{decl.name}[_o_{decl.name}]"
                lines.append(f"    const {C_NAMES[want]} {decl.name} = {source};")
        for decl, dtype in zip(self.out_params, sig.outputs):
            if not decl.raw:
                lines.append(f"    {C_NAMES[dtype]}& {decl.name} = _out_{decl.name}[i];")
        lines += ["    " + self.operation.strip().rstrip(";") + ";", "}"]
        lines += [self.after_loop] if self.after_loop else []
        signature = ",\n        ".join(f"{p.ctype} {p.name}" for p in params)
        body = "\n    ".join("\n".join(lines).split("\n"))
        preamble = f"{self.preamble}\n" if self.preamble else ""
        return (f"// ElementwiseKernel {self.name}: generated by warpbench\n{preamble}"
                f"extern \"C\" __global__ void {self.name}(\n        {signature}) {{\n    {body}\n}}\n")

    # -- launching --------------------------------------------------------------------

    def __call__(self, *args, size: int | None = None, device=None):
        """Run on device arrays and scalars (inputs, then optionally the outputs); returns the
        output(s) as CuPy does. With graph variables among ``args``, a graph node's output(s)."""
        basic = sys.modules.get("warpbench.graph.basic")
        if basic is not None and any(isinstance(a, basic.Variable) for a in args):
            from warpbench.graph.gpu_op import ElementwiseOp
            return ElementwiseOp(self)(*args)
        if len(args) not in (self.nin, self.nin + len(self.out_params)):
            raise WarpbenchError(f"ElementwiseKernel '{self.name}': takes {self.nin} inputs (and optionally "
                                 f"{len(self.out_params)} outputs), got {len(args)} arguments")
        device = target_device(device)
        outputs = self.launch(device, list(args[:self.nin]), list(args[self.nin:]) or None, size=size)
        if self.no_return:
            return None
        return outputs[0] if len(outputs) == 1 and not self.return_tuple else tuple(outputs)

    def compiled(self, device, sig: Signature):
        """The kernel generated for ``sig``, compiled on ``device`` once."""
        key = (device, sig)
        if key not in self._kernels:
            self._kernels[key] = device.compile(self.spec(sig))
        return self._kernels[key]

    def launch(self, device, inputs: list, outputs: list | None = None, *, size: int | None = None,
               kernel=None) -> list:
        """Compute on ``device``: the kernel for the arguments' signature (``kernel`` when the
        caller compiled it, as the graph linker does, else compiled here once), launched over
        their broadcast shape; outputs are allocated unless given. Returns the outputs."""
        kinds = [_kind_and_dtype(a) for a in inputs]
        for index, (kind, what) in enumerate(kinds):
            if kind == HOST:
                raise DTypeError(f"ElementwiseKernel '{self.name}': argument {index} is a host array; copy it "
                                 f"to the device first (device.to_device)")
            if kind == OTHER:
                raise DTypeError(f"ElementwiseKernel '{self.name}': argument {index} is a {what}, neither a "
                                 f"device array nor a number")
        arrays = [(i, a) for i, (a, (kind, _)) in enumerate(zip(inputs, kinds)) if kind == ARRAY]
        arrays += [(self.nin + i, o) for i, o in enumerate(outputs or [])]
        check_arrays_on(device, self.name, arrays)
        strided = [i for i, a in arrays if not getattr(getattr(a, "flags", None), "c_contiguous", True)]
        if strided:
            raise ShapeError(f"ElementwiseKernel '{self.name}': argument {strided[0]} is not C-contiguous "
                             f"(the kernel reads arrays as dense rows)")
        shape = self._shape(inputs, kinds, outputs, size)
        sig = self.signature(kinds, [np.dtype(o.dtype).name for o in outputs] if outputs else
                             [None] * len(self.out_params), len(shape))
        if kernel is None:
            kernel = self.compiled(device, sig)
        elif kernel.spec is not self.spec(sig):
            raise WarpbenchError(f"ElementwiseKernel '{self.name}': the kernel given was compiled for other "
                                 f"arguments than {', '.join(f'{k} {d}' for k, d, _ in sig.inputs)}")
        if outputs is None:
            outputs = [device.empty(shape, dtype) for dtype in sig.outputs]
        n = math.prod(shape)
        if n:
            strides = []
            for decl, value, (kind, _) in zip(self.in_params, inputs, kinds):
                if kind == ARRAY and not decl.raw:
                    strides += _broadcast_strides(tuple(value.shape), shape)
            contiguous = all(tuple(a.shape) == shape for a, (kind, _), d in zip(inputs, kinds, self.in_params)
                             if kind == ARRAY and not d.raw)
            values = [v[()] if isinstance(v, np.ndarray) else v for v in inputs]
            lau = kernel.geometry({"n": n})
            kernel(*values, *outputs, n, int(contiguous), *shape, *strides, grid=lau.grid, block=lau.block)
        return outputs

    def _shape(self, inputs, kinds, outputs, size) -> tuple[int, ...]:
        shapes = [tuple(a.shape) for a, (kind, _), d in zip(inputs, kinds, self.in_params)
                  if kind == ARRAY and not d.raw]
        shapes += [tuple(o.shape) for o, d in zip(outputs or [], self.out_params) if not d.raw]
        if size is not None:
            if shapes:
                raise ShapeError(f"ElementwiseKernel '{self.name}': size={size} is only for kernels whose "
                                 f"arguments are all raw or scalars")
            return (int(size),)
        try:
            shape = tuple(np.broadcast_shapes(*shapes))
        except ValueError:
            shown = ", ".join("x".join(map(str, s)) or "scalar" for s in shapes)
            raise ShapeError(f"ElementwiseKernel '{self.name}': cannot broadcast shapes {shown}") from None
        for o, d in zip(outputs or [], self.out_params):
            if not d.raw and tuple(o.shape) != shape:
                raise ShapeError(f"ElementwiseKernel '{self.name}': output {d.name} has shape "
                                 f"{tuple(o.shape)}, the inputs broadcast to {shape}")
        return shape


def graph_kinds(variables) -> list[tuple[str, str]]:
    """How graph inputs reach a generated kernel: a 0-d constant by value (it stays on the
    host), every other input as a device array."""
    from warpbench.graph.basic import Constant
    return [(VALUE if isinstance(v, Constant) and v.ndim == 0 else ARRAY, v.dtype) for v in variables]


def _broadcast_strides(shape: tuple[int, ...], out: tuple[int, ...]) -> list[int]:
    """Element strides of a C-contiguous array of ``shape`` read at the indices of ``out``
    (NumPy broadcasting: missing leading dimensions and extents of 1 have stride 0)."""
    padded = (1,) * (len(out) - len(shape)) + shape
    strides, step = [], 1
    for extent in reversed(padded):
        strides.append(step if extent != 1 else 0)
        step *= extent
    return strides[::-1]
