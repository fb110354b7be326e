"""Types: what a symbolic variable holds, and the check that a runtime value fits it.

A :class:`TensorType` is an array of one dtype and a fixed number of dimensions living in
host memory (a NumPy array). Its GPU-resident counterpart :class:`GpuArrayType` adds the
device kind ("cuda" or "emu") whose memory holds the value. Extents are not part of a
type: shapes are checked when a function runs (see ``Op.infer_shape``).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError

NDIM_NAMES = {0: "scalar", 1: "vector", 2: "matrix"}
#: Devices that run registry kernels; "cpu" runs every node with its host implementation.
KERNEL_DEVICES = ("cuda", "emu")
#: The dtypes the host code and the kernels compute.
FLOAT_DTYPES = ("float32", "float64")


def shape_str(shape) -> str:
    """``(3, 4)`` -> ``'3x4'``, the way every warpbench message writes a shape."""
    return "x".join(str(int(d)) for d in shape) if len(shape) else "scalar"


def broadcast_shape(shapes) -> tuple:
    """NumPy's broadcast of ``shapes``, or a ShapeError listing them."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ShapeError(f"cannot broadcast input shapes {', '.join(shape_str(s) for s in shapes)}") from None


def describe_value(value) -> str:
    """``'float64 array of shape 3x4'``, ``'float32 scalar 2.0'``: a runtime value, for error messages."""
    if hasattr(value, "dtype") and isinstance(getattr(value, "shape", None), tuple):  # not a Variable
        dtype = np.dtype(value.dtype).name
        if len(value.shape) == 0 and isinstance(value, (np.ndarray, np.generic)):
            return f"{dtype} scalar {value.item()!r}"
        return f"{dtype} array of shape {shape_str(value.shape)}"
    return f"{type(value).__name__} {value!r}"


class TensorType:
    """An n-dimensional host array of one dtype; ``TensorType("float32", 2)`` is a matrix type."""

    device = None  # host memory

    def __init__(self, dtype, ndim: int):
        self.dtype = np.dtype(dtype).name
        self.ndim = int(ndim)

    def _key(self):
        return (type(self), self.dtype, self.ndim, self.device)

    def __eq__(self, other):
        return isinstance(other, TensorType) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __str__(self):
        return f"TensorType({self.dtype}, {self._ndim_word()})"

    __repr__ = __str__

    def _ndim_word(self) -> str:
        return NDIM_NAMES.get(self.ndim, f"{self.ndim}D")  # Theano's words: 'matrix', '4D'

    def __call__(self, name: str | None = None):
        """A new free variable of this type (the book's ``x.type()``)."""
        from warpbench.graph.basic import Variable
        return Variable(self, name=name)

    def filter(self, value, allow_downcast: bool = False) -> np.ndarray:
        """``value`` as a NumPy array of this type, or a one-line ShapeError/DTypeError.

        Arrays must have this dtype or one NumPy casts to it safely (int32 into float64 is
        fine, float64 into float32 is refused unless ``allow_downcast``). Python numbers and
        lists are converted to float dtypes, and to integer dtypes when no value changes.
        """
        if not isinstance(value, (np.ndarray, np.generic)):
            value = self._from_python(value)
        array = np.asarray(value)
        if array.ndim != self.ndim:
            raise ShapeError(f"needs a {self.dtype} {self._kind()} ({self.ndim}-D), got {describe_value(array)}")
        if array.dtype != self.dtype:
            if array.dtype.kind in "biuf" and allow_downcast:
                return array.astype(self.dtype)
            if not np.can_cast(array.dtype, self.dtype, "safe"):
                raise DTypeError(f"needs a {self.dtype} {self._kind()}, got {describe_value(array)} "
                                 f"(casting would lose precision)")
            array = array.astype(self.dtype)
        return array

    def _from_python(self, value) -> np.ndarray:
        # Python numbers carry no precision of their own: 0.1 into float32 is what users
        # mean. Into integer types only exact conversions pass (2.5 is not an int).
        try:
            converted = np.asarray(value)
        except ValueError:  # ragged nested lists
            converted = np.empty(0, object)
        if converted.dtype.kind not in "biuf":  # strings, objects, complex
            raise DTypeError(f"needs a {self.dtype} {self._kind()}, got {describe_value(value)}")
        cast = converted.astype(self.dtype)
        if np.issubdtype(cast.dtype, np.inexact) or np.array_equal(cast, converted):
            return cast
        return converted

    def _kind(self) -> str:
        return NDIM_NAMES.get(self.ndim, f"{self.ndim}-D tensor")


class GpuArrayType(TensorType):
    """A :class:`TensorType` whose value lives in the memory of a kernel device ("cuda" or "emu")."""

    def __init__(self, dtype, ndim: int, device: str):
        super().__init__(dtype, ndim)
        self.device = device

    def __str__(self):
        return f"GpuArrayType<{self.device}>({self.dtype}, {self._ndim_word()})"

    __repr__ = __str__

    def filter(self, value):
        """Device arrays pass when dtype and ndim match (only the executor makes these)."""
        if not hasattr(value, "get") or np.dtype(value.dtype) != self.dtype or len(value.shape) != self.ndim:
            raise DTypeError(f"needs a {self.dtype} {self.ndim}-D array on {self.device}, got {describe_value(value)}")
        return value


def common_device(variables) -> str | None:
    """The one device holding ``variables`` (None: host); mixing two devices is refused.

    Constants stay on the host even in device graphs (kernels take them as scalar
    arguments), so they are ignored here.
    """
    from warpbench.graph.basic import Constant
    devices = {v.type.device for v in variables if not isinstance(v, Constant)} - {None}
    if len(devices) > 1:
        raise DTypeError(f"inputs live on different devices: {', '.join(sorted(devices))}")
    hosts = [v for v in variables if v.type.device is None and not isinstance(v, Constant)]
    if devices and hosts:
        raise DTypeError(f"inputs mix host and {devices.pop()} variables ({hosts[0]} is on the host); "
                         f"move it with GpuFromHost")
    return devices.pop() if devices else None


def tensor_type(dtype, ndim: int, device: str | None = None) -> TensorType:
    """A host TensorType, or a GpuArrayType when ``device`` names a kernel device."""
    return TensorType(dtype, ndim) if device is None else GpuArrayType(dtype, ndim, device)
