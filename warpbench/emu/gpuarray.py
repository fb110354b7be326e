"""PyCUDA's ``pycuda.gpuarray`` on the emulator: ``from warpbench.emu import gpuarray``.

A :class:`GPUArray` is a :class:`~warpbench.emu.memory.DeviceArray` (so every kernel
accepts it, and its redzones are checked) with NumPy-style arithmetic: ``+ - * / **``
with arrays of the same shape or scalars, unary ``-``, ``abs``, comparisons, in-place
forms, ``astype``; each is a generated CUDA kernel run through the emulator, compiled
once per operation and dtypes. Reductions ``sum``, ``dot``, ``max``, ``min`` return 0-d
arrays (``.get()`` or ``float(...)``). Result dtypes follow NumPy's rules. Not covered:
broadcasting between arrays of different shapes, non-contiguous arrays, complex dtypes.
"""
from __future__ import annotations

import operator

import numpy as np

from warpbench.ctype import c_name
from warpbench.errors import DTypeError, ShapeError
from warpbench.emu import vec  # noqa: F401 (PyCUDA's gpuarray.vec)
from warpbench.emu.elementwise import ElementwiseKernel
from warpbench.emu.memory import POISON, DeviceArray
from warpbench.emu.reduction import ReductionKernel
from warpbench.emu.transfers import device_array_at

_ARITHMETIC = {"add": ("+", operator.add), "sub": ("-", operator.sub), "mul": ("*", operator.mul),
               "div": ("/", operator.truediv), "pow": (None, operator.pow)}
_COMPARISONS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
_kernels: dict[tuple, ElementwiseKernel] = {}


def _kernel(name: str, arguments: str, operation: str) -> ElementwiseKernel:
    key = (name, arguments, operation)
    if key not in _kernels:
        _kernels[key] = ElementwiseKernel(arguments, operation, name)
    return _kernels[key]


def _operand(value, name: str) -> tuple[str, str, object]:
    """(C parameter, C element expression, launch argument) for an array or a scalar operand."""
    if isinstance(value, DeviceArray):
        return f"const {c_name(value.dtype)} *{name}", f"{name}[i]", value
    scalar = np.asarray(value)
    return f"{c_name(scalar.dtype)} {name}", name, scalar.dtype.type(value)


def _check_operand(array: "GPUArray", other, what: str):
    if isinstance(other, DeviceArray):
        if other.shape != array.shape:
            raise ShapeError(f"gpuarray {what}: shapes {array.shape} and {other.shape} differ "
                             "(broadcasting is not covered)")
        return other
    if isinstance(other, (bool, int, float, np.generic)) and np.asarray(other).dtype.kind in "biuf":
        return other
    raise DTypeError(f"gpuarray {what}: expected a GPUArray or a real number, got {type(other).__name__}")


def _sample(value):
    """What NumPy's type promotion sees of an operand: an empty array or the scalar itself."""
    return np.empty(0, value.dtype) if isinstance(value, DeviceArray) else value


class GPUArray(DeviceArray):
    """An array in emulated device memory with PyCUDA's GPUArray interface."""

    def __init__(self, shape, dtype=np.float32, allocator=None, base=None, gpudata=None, strides=None,
                 order: str = "C"):
        if order != "C" or strides is not None:
            raise ShapeError("GPUArray: only C-contiguous arrays are covered (order='C', strides=None)")
        if gpudata is not None:
            view = device_array_at(gpudata, shape, dtype)
            self.__dict__.update(view.__dict__)
            return
        super().__init__(shape, dtype)
        self.poison(POISON)

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 1

    @property
    def strides(self) -> tuple[int, ...]:
        """Bytes between elements along each axis (C order)."""
        return self.data.strides

    @property
    def mem_size(self) -> int:
        """Number of elements (PyCUDA's name)."""
        return self.size

    @property
    def flags(self):
        """NumPy's flags of the contents (always C-contiguous)."""
        return self.data.flags

    def get(self, ary: np.ndarray | None = None, pagelocked: bool = False, stream=None) -> np.ndarray:
        """A host copy, or the contents copied into ``ary`` (same shape and dtype) and ``ary`` returned."""
        if ary is None:
            return self.data.copy()
        if ary.shape != self.shape or ary.dtype != self.dtype:
            raise ShapeError(f"GPUArray.get: ary is {ary.dtype}{list(ary.shape)}, the array is "
                             f"{self.dtype}{list(self.shape)}")
        ary[...] = self.data
        return ary

    def get_async(self, stream=None, ary: np.ndarray | None = None) -> np.ndarray:
        """:meth:`get`, complete on return."""
        return self.get(ary)

    def set(self, ary, stream=None) -> None:
        """Overwrite the contents with ``ary`` (same size and dtype)."""
        super().set(ary)

    def set_async(self, ary, stream=None) -> None:
        """:meth:`set`, complete on return."""
        super().set(ary)

    def copy(self) -> "GPUArray":
        """A new array with the same contents."""
        result = empty_like(self)
        result.data[...] = self.data
        result.uninitialized = self.uninitialized
        return result

    def fill(self, value, stream=None) -> "GPUArray":
        """Set every element to ``value``; returns the array."""
        super().fill(value)
        return self

    def astype(self, dtype, stream=None) -> "GPUArray":
        """A converted copy (a generated cast kernel; the same dtype gives a copy)."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self.copy()
        result = GPUArray(self.shape, dtype)
        _kernel(f"wb_cast_{self.dtype}_{dtype}", f"{c_name(dtype)} *z, const {c_name(self.dtype)} *x",
                f"z[i] = ({c_name(dtype)}) x[i]")(result, self)
        return result

    def reshape(self, *shape, order: str = "C") -> "GPUArray":
        """A view with another shape of the same size."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return self.view_of(self.data.reshape(shape), GPUArray)

    def ravel(self) -> "GPUArray":
        """A one-dimensional view."""
        return self.reshape(self.size)

    def view(self, dtype=None) -> "GPUArray":
        """A view of the same bytes as ``dtype``."""
        return self.view_of(self.data.view(dtype or self.dtype), GPUArray)

    @property
    def T(self):  # noqa: N802 (NumPy's name)
        """Transposition would need strides: refused."""
        raise ShapeError("GPUArray.T: non-contiguous arrays are not covered; transpose on the host or in a kernel")

    def __float__(self) -> float:
        if self.size != 1:
            raise ShapeError(f"float() of a GPUArray of shape {self.shape}: only one-element arrays convert")
        return float(self.data.reshape(-1)[0])

    def __str__(self) -> str:
        return str(self.get())

    def __repr__(self) -> str:
        return repr(self.get()).replace("array(", "GPUArray(", 1)

    def _binary(self, other, kind: str, reverse: bool = False, out: "GPUArray | None" = None) -> "GPUArray":
        other = _check_operand(self, other, kind)
        left, right = (other, self) if reverse else (self, other)
        if kind in _COMPARISONS:
            compute, result_dtype = np.result_type(_sample(left), _sample(right)), np.dtype(bool)
            symbol = _COMPARISONS[kind]
        else:
            symbol, function = _ARITHMETIC[kind]
            result_dtype = compute = function(_sample(left), _sample(right)).dtype
        result = out if out is not None else GPUArray(self.shape, result_dtype)
        (lp, lx, la), (rp, rx, ra) = _operand(left, "x"), _operand(right, "y")
        ct = c_name(compute)
        if symbol is None:
            expression = (f"pow(({ct}) {lx}, ({ct}) {rx})" if compute.kind == "f"
                          else f"({ct}) pow((double) {lx}, (double) {rx})")
        else:
            expression = f"({ct}) {lx} {symbol} ({ct}) {rx}"
        rt = c_name(result.dtype)
        name = f"wb_{kind}_{_kind_name(left)}_{_kind_name(right)}_{result.dtype}"
        _kernel(name, f"{rt} *z, {lp}, {rp}", f"z[i] = ({rt}) ({expression})")(result, la, ra)
        return result

    def _unary(self, kind: str, expression: str) -> "GPUArray":
        ct = c_name(self.dtype)
        result = GPUArray(self.shape, self.dtype)
        _kernel(f"wb_{kind}_{self.dtype}", f"{ct} *z, const {ct} *x", f"z[i] = {expression}")(result, self)
        return result

    def _inplace(self, other, kind: str) -> "GPUArray":
        self._binary(other, kind, out=self)
        return self

    def __neg__(self):
        return self._unary("neg", "-x[i]")

    def __abs__(self):
        return self._unary("abs", "fabs(x[i])" if self.dtype.kind == "f" else "x[i] < 0 ? -x[i] : x[i]")

    def __add__(self, other):
        return self._binary(other, "add")

    def __radd__(self, other):
        return self._binary(other, "add", reverse=True)

    def __sub__(self, other):
        return self._binary(other, "sub")

    def __rsub__(self, other):
        return self._binary(other, "sub", reverse=True)

    def __mul__(self, other):
        return self._binary(other, "mul")

    def __rmul__(self, other):
        return self._binary(other, "mul", reverse=True)

    def __truediv__(self, other):
        return self._binary(other, "div")

    def __rtruediv__(self, other):
        return self._binary(other, "div", reverse=True)

    def __pow__(self, other):
        return self._binary(other, "pow")

    def __rpow__(self, other):
        return self._binary(other, "pow", reverse=True)

    def __iadd__(self, other):
        return self._inplace(other, "add")

    def __isub__(self, other):
        return self._inplace(other, "sub")

    def __imul__(self, other):
        return self._inplace(other, "mul")

    def __itruediv__(self, other):
        return self._inplace(other, "div")

    def __lt__(self, other):
        return self._binary(other, "lt")

    def __le__(self, other):
        return self._binary(other, "le")

    def __gt__(self, other):
        return self._binary(other, "gt")

    def __ge__(self, other):
        return self._binary(other, "ge")

    def __eq__(self, other):
        return self._binary(other, "eq")

    def __ne__(self, other):
        return self._binary(other, "ne")
    __hash__ = DeviceArray.__hash__   # identity, as arrays are used as keys by identity
    __div__ = __truediv__


def _kind_name(value) -> str:
    """What an operand contributes to a generated kernel's name: array or scalar, and its dtype."""
    if isinstance(value, DeviceArray):
        return f"a{value.dtype}"
    return f"s{np.asarray(value).dtype}"


def to_gpu(ary, allocator=None) -> GPUArray:
    """A GPUArray holding a copy of the host array ``ary``."""
    ary = np.ascontiguousarray(ary)
    result = GPUArray(ary.shape, ary.dtype)
    result.set(ary)
    return result


def to_gpu_async(ary, allocator=None, stream=None) -> GPUArray:
    """:func:`to_gpu`, complete on return."""
    return to_gpu(ary)


def empty(shape, dtype=np.float32, allocator=None, order: str = "C") -> GPUArray:
    """An uninitialised GPUArray (poisoned with 0xFF bytes: NaN for floats)."""
    return GPUArray(shape, dtype, order=order)


def zeros(shape, dtype=np.float32, allocator=None, order: str = "C") -> GPUArray:
    """A GPUArray of zeros."""
    return GPUArray(shape, dtype, order=order).fill(0)


def empty_like(other, dtype=None) -> GPUArray:
    """An uninitialised GPUArray with ``other``'s shape and dtype (or ``dtype``)."""
    return empty(other.shape, dtype or other.dtype)


def zeros_like(other, dtype=None) -> GPUArray:
    """A GPUArray of zeros with ``other``'s shape and dtype (or ``dtype``)."""
    return zeros(other.shape, dtype or other.dtype)


def arange(*args, dtype=None) -> GPUArray:
    """``numpy.arange``'s values computed by a generated kernel (start + i * step)."""
    host = np.arange(*args, dtype=dtype)
    result = GPUArray(host.shape, host.dtype)
    if host.size:
        start, step = host.dtype.type(host[0]), host.dtype.type(host[1] - host[0] if host.size > 1 else 0)
        ct = c_name(host.dtype)
        _kernel(f"wb_arange_{host.dtype}", f"{ct} *z, {ct} start, {ct} step",
                "z[i] = start + i * step")(result, start, step)
    return result


_reductions: dict[tuple, ReductionKernel] = {}


def _reduction(kind: str, dtype, neutral: str, reduce_expr: str, map_expr: str, arguments: str):
    key = (kind, np.dtype(dtype).name, arguments)
    if key not in _reductions:
        _reductions[key] = ReductionKernel(dtype, neutral, reduce_expr, map_expr, arguments,
                                           name=f"wb_{kind}_{'_'.join(key[1:2])}")
    return _reductions[key]


def _extreme(a: GPUArray, kind: str, comparison: str) -> GPUArray:
    ct = c_name(a.dtype)
    info = np.finfo(a.dtype) if a.dtype.kind == "f" else np.iinfo(a.dtype)
    neutral = ({"max": "-INFINITY", "min": "INFINITY"}[kind] if a.dtype.kind == "f"
               else str(int(info.min if kind == "max" else info.max)) + ("ull" if a.dtype.kind == "u" else "ll"))
    return _reduction(kind, a.dtype, f"({ct}) {neutral}", f"a {comparison} b ? a : b", "x[i]",
                      f"const {ct} *x")(a)


def sum(a: GPUArray, dtype=None, stream=None) -> GPUArray:  # noqa: A001 (PyCUDA's name)
    """The sum of the elements, a 0-d GPUArray of ``dtype`` (default: the array's)."""
    dtype = np.dtype(dtype or a.dtype)
    return _reduction("sum", dtype, "0", "a + b", f"({c_name(dtype)}) x[i]", f"const {c_name(a.dtype)} *x")(a)


def dot(a: GPUArray, b: GPUArray, dtype=None, stream=None) -> GPUArray:
    """The dot product of two arrays of one shape, a 0-d GPUArray."""
    _check_operand(a, b, "dot")
    dtype = np.dtype(dtype or np.result_type(a.dtype, b.dtype))
    ct = c_name(dtype)
    return _reduction(f"dot_{a.dtype}_{b.dtype}", dtype, "0", "a + b", f"({ct}) x[i] * ({ct}) y[i]",
                      f"const {c_name(a.dtype)} *x, const {c_name(b.dtype)} *y")(a, b)


def max(a: GPUArray, stream=None) -> GPUArray:  # noqa: A001 (PyCUDA's name)
    """The largest element, a 0-d GPUArray."""
    return _extreme(a, "max", ">")


def min(a: GPUArray, stream=None) -> GPUArray:  # noqa: A001 (PyCUDA's name)
    """The smallest element, a 0-d GPUArray."""
    return _extreme(a, "min", "<")
