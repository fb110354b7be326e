"""PyCUDA-compatible facade over the CUDA emulator: check kernels without a GPU by
changing the imports::

    import warpbench.emu as drv                # was: import pycuda.driver as drv
    from warpbench.emu import SourceModule     # was: from pycuda.compiler import SourceModule

    mod = SourceModule(source)                 # wrapped in extern "C" unless no_extern_c=True
    multiply = mod.get_function("multiply_them")
    multiply(drv.Out(dest), drv.In(a), drv.In(b), block=(400, 1, 1), grid=(1, 1))

Covered: ``SourceModule`` (``get_function`` also for template name expressions such as
``"matmul<32>"``, ``get_global``), ``In``/``Out``/``InOut``, ``mem_alloc``/``mem_alloc_like``
(``np.intp(allocation) + offset`` is an address), ``memcpy_htod``/``dtoh``/``dtod`` and their
``_async`` forms, ``memset_d8``/``d16``/``d32``, ``from_device``/``from_device_like``,
``Function.prepare``/``prepared_call`` (also the older ``prepare(..., block=)`` form),
``init``, ``Device`` (one: "CUDA emulator", compute capability 9.0, sm_90 attributes),
``Context``/``make_context``, ``Event`` (emulated wall-clock milliseconds), ``Stream``
(ordered: every call completes before it returns), ``pagelocked_*``, ``get_version``.
Pointer parameters take device arrays, addresses, ``PointerHolderBase`` objects and
objects with ``__cuda_array_interface__``; an array of another dtype is passed as its
address, as PyCUDA does, with a PortabilityWarning. gpuarray, ElementwiseKernel and
ReductionKernel are in :mod:`warpbench.emu.gpuarray`, ``.elementwise`` and ``.reduction``.
Launches take the extra keywords ``thread_order``, ``block_order``, ``check_determinism``,
``watchdog``, ``time_limit``, ``racecheck`` and ``initcheck`` (see :mod:`warpbench.emu`).
PyCUDA's exception names catch the emulator's: ``Error`` (every emulator error) and
``LaunchError`` (a fault inside a kernel, :class:`KernelFault`). Importing this module
compiles nothing.
"""
from __future__ import annotations

import ctypes
import time
import warnings

import numpy as np

from warpbench.ctype import lookup, strip_qualifiers
from warpbench.errors import DTypeError
from warpbench.emu.determinism import check_determinism as _check_determinism
from warpbench.emu.device import (CUDA_VERSION, Context, Device, device_attribute, get_driver_version,
                                  get_version, init, mem_get_info)
from warpbench.emu.errors import EmuError, KernelFault, PortabilityWarning
from warpbench.emu.memory import DeviceArray, empty, to_device, zeros
from warpbench.emu.module import compile_module
from warpbench.emu.streams import (Event, Stream, aligned_empty, aligned_zeros, pagelocked_empty,
                                   pagelocked_empty_like, pagelocked_zeros, pagelocked_zeros_like,
                                   register_host_memory)
from warpbench.emu.transfers import (DeviceAllocation, PointerHolderBase, from_device, from_device_like, mem_alloc,
                                     mem_alloc_like, memcpy_dtod, memcpy_dtod_async, memcpy_dtoh, memcpy_dtoh_async,
                                     memcpy_htod, memcpy_htod_async, memset_d8, memset_d16, memset_d32)

to_gpu = to_device


class ArgumentHandler:
    """A host array passed to a kernel through a temporary device copy."""
    copy_in = copy_out = False

    def __init__(self, array: np.ndarray):
        if not isinstance(array, np.ndarray):
            raise DTypeError(f"{type(self).__name__} wraps a numpy array, not {type(array).__name__}")
        self.array = array

    def device_array(self) -> DeviceArray:
        """The device copy for one launch."""
        if self.copy_in:
            return to_device(np.ascontiguousarray(self.array))
        return empty(self.array.shape, self.array.dtype)


class In(ArgumentHandler):
    """Copied to the device before the launch."""
    copy_in = True


class Out(ArgumentHandler):
    """Copied back to the host array after the launch (starts uninitialised)."""
    copy_out = True


class InOut(ArgumentHandler):
    """Copied to the device before and back after the launch."""
    copy_in = copy_out = True


def synchronize() -> None:
    """Launches are synchronous on the emulator; kept for PyCUDA code that calls it."""


def _pointer_argument(function: "Function", index: int, arg):
    """What PyCUDA would pass for a pointer parameter: an object with
    ``__cuda_array_interface__`` as its address, an array of another dtype as its address
    (with a PortabilityWarning), anything else unchanged for the packer to check."""
    if isinstance(arg, DeviceArray):
        pointee = lookup(strip_qualifiers(function.kernel.param_types[index])[:-1])
        accepted = pointee.pointee if pointee else None
        if arg.typed and accepted is not None and arg.dtype.name not in accepted:
            fields = arg.dtype.fields or {}
            if fields and all(field[0].name in accepted for field in fields.values()):
                return np.intp(arg.ptr)          # a vector-type struct array, e.g. vec.float3
            warnings.warn(f"kernel '{function.name}' parameter {index}: a {arg.dtype.name} array passed for "
                          f"{function.kernel.param_types[index]} (PyCUDA passes the pointer as is)",
                          PortabilityWarning, stacklevel=4)
            return np.intp(arg.ptr)
        return arg
    if isinstance(arg, PointerHolderBase):
        return np.intp(arg.get_pointer())
    interface = getattr(arg, "__cuda_array_interface__", None)
    if isinstance(interface, dict) and "data" in interface:
        return np.intp(interface["data"][0])
    return arg


def _copy_back(copies: list) -> None:
    """Out/InOut results to their host arrays (In copies are only kept alive until here)."""
    for host, device in copies:
        if host is not None:
            host[...] = device.data


class Function:
    """A kernel of a SourceModule, called as in PyCUDA."""

    def __init__(self, module: "SourceModule", name: str):
        self._module, self.name = module, name
        self._formats: list | None = None
        self._block = None

    @property
    def kernel(self):
        """The EmuFunction in the module's current build."""
        return self._module.emu_module.get_function(self.name)

    @property
    def shared_size_bytes(self) -> int:
        """Static shared memory of the kernel."""
        return self.kernel.static_shared_bytes

    @property
    def max_threads_per_block(self) -> int:
        """1024 or the kernel's __launch_bounds__."""
        return self.kernel.max_threads_per_block

    num_regs = local_size_bytes = const_size_bytes = 0

    def _convert(self, args) -> tuple[list, list]:
        converted, copies = [], []
        types = self.kernel.param_types
        for index, arg in enumerate(args):
            if isinstance(arg, ArgumentHandler):
                device = arg.device_array()
                converted.append(_pointer_argument(self, index, device) if index < len(types) else device)
                copies.append((arg.array if arg.copy_out else None, device))
            elif index < len(types) and types[index].endswith("*"):
                converted.append(_pointer_argument(self, index, arg))
            else:
                converted.append(arg)
        return converted, copies

    def __call__(self, *args, block=None, grid=(1, 1), shared: int = 0, stream=None,
                 time_kernel: bool = False, texrefs=None, thread_order: str = "forward",
                 block_order: str = "forward", check_determinism: bool = False,
                 watchdog: float | None = None, time_limit: float | None = None,
                 racecheck: bool = False, initcheck: bool = False):
        """Launch; returns the elapsed seconds when ``time_kernel`` is True. The emulator's
        keywords (orders, ``check_determinism``, ``watchdog``, ``time_limit``, ``racecheck``,
        ``initcheck``) are those of :meth:`EmuFunction.__call__`."""
        if block is None:
            raise ValueError(f"kernel '{self.name}': must specify block size")
        converted, copies = self._convert(args)
        start = time.perf_counter()
        self.kernel(*converted, grid=grid, block=block, shared=shared, thread_order=thread_order,
                    block_order=block_order, check_determinism=check_determinism, watchdog=watchdog,
                    time_limit=time_limit, racecheck=racecheck, initcheck=initcheck)
        elapsed = time.perf_counter() - start
        _copy_back(copies)
        return elapsed if time_kernel else None

    def prepare(self, arg_types, block=None, shared=None, texrefs=None) -> "Function":
        """Declare argument types as a struct-style string ("PPi") or a list of dtypes/"P"
        (struct dtypes such as ``gpuarray.vec.float3`` too); ``block`` is the block shape
        for calls that omit it (PyCUDA's older form)."""
        pointer_chars = (np.dtype(np.intp).char, np.dtype(np.uintp).char)
        self._formats = ["P" if isinstance(t, str) and t == "P" or np.dtype(t).char in pointer_chars
                         else np.dtype(t) for t in arg_types]
        self._block = block
        return self

    def _prepared(self, block, args) -> tuple[tuple, list]:
        if self._formats is None:
            raise ValueError(f"kernel '{self.name}': call prepare() before prepared_call()")
        if not isinstance(block, tuple) and self._block is not None:
            block, args = self._block, (block, *args)
        if len(args) != len(self._formats):
            raise DTypeError(f"kernel '{self.name}' was prepared for {len(self._formats)} arguments, "
                             f"got {len(args)}")
        return block, [arg if fmt == "P" else np.asarray(arg, dtype=fmt)[()]
                       for fmt, arg in zip(self._formats, args)]

    def prepared_call(self, grid, block, *args, shared_size: int = 0) -> None:
        """Launch with arguments converted by the prepared types (Python numbers allowed)."""
        block, args = self._prepared(block, args)
        self(*args, grid=grid, block=block, shared=shared_size)

    def prepared_timed_call(self, grid, block, *args, shared_size: int = 0):
        """Launch; returns a callable giving the elapsed seconds, as PyCUDA does."""
        block, args = self._prepared(block, args)
        elapsed = self(*args, grid=grid, block=block, shared=shared_size, time_kernel=True)
        return lambda: elapsed

    def prepared_async_call(self, grid, block, stream, *args, shared_size: int = 0) -> None:
        """Same as prepared_call: launches are synchronous here."""
        self.prepared_call(grid, block, *args, shared_size=shared_size)

    def set_cache_config(self, config) -> None:
        """No cache to configure on the emulator."""

    def set_attribute(self, attribute, value) -> None:
        """Function attributes (e.g. the dynamic shared memory opt-in) change nothing here."""


class SourceModule:
    """CUDA C source compiled for the emulator, as ``pycuda.compiler.SourceModule``.

    ``nvcc``, ``keep``, ``arch``, ``code`` and ``cache_dir`` are accepted and ignored
    (modules are cached under warpbench's cache). Template kernels are compiled on
    demand by ``get_function("name<args>")``; the module is then rebuilt with the extra
    instantiation and the values of its globals are carried over.
    """

    def __init__(self, source: str, nvcc: str = "nvcc", options=None, keep: bool = False,
                 no_extern_c: bool = False, arch=None, code=None, cache_dir=None, include_dirs=()):
        self._text = source if no_extern_c else f'extern "C" {{\n#line 1 "kernel.cu"\n{source}\n}}\n'
        self._options, self._include_dirs = list(options or []), list(include_dirs or [])
        self._expressions: list[str] = []
        self.emu_module = self._compile()

    def _compile(self):
        return compile_module(self._text, filename="kernel.cu", options=self._options,
                              include_dirs=self._include_dirs, name_expressions=self._expressions)

    def _add_instantiation(self, expression: str) -> None:
        old = self.emu_module
        self._expressions.append(expression)
        new = self._compile()
        targets = new.user_globals()
        for name, (address, size) in old.user_globals().items():
            if name in targets and targets[name][1] == size:
                ctypes.memmove(targets[name][0], address, size)
        self.emu_module = new

    def get_function(self, name: str) -> Function:
        """The kernel ``name``; a template name expression compiles that instantiation."""
        from warpbench.emu.rewrite import normalize_expression
        if "<" in name and normalize_expression(name) not in self.emu_module.kernels:
            self._add_instantiation(name)
        self.emu_module.get_function(name)
        return Function(self, name)

    def get_global(self, name: str) -> tuple[int, int]:
        """(address, size in bytes) of a ``__constant__``/``__device__`` variable; write it
        with ``memcpy_htod(address, array)``."""
        return self.emu_module.get_global(name)


def check_determinism(function, *args, **kwargs):
    """:func:`warpbench.emu.check_determinism` for a facade Function or an
    EmuFunction; In/Out/InOut arguments are converted (Out arrays get the first run's result).
    For a facade Function ``grid`` defaults to (1, 1), as in its call."""
    if isinstance(function, Function):
        kwargs.setdefault("grid", (1, 1))
        converted, copies = function._convert(args)
        report = _check_determinism(function.kernel, *converted, **kwargs)
        _copy_back(copies)
        return report
    return _check_determinism(function, *args, **kwargs)


#: PyCUDA's names for its exceptions, as the emulator's classes.
Error, LaunchError = EmuError, KernelFault


def make_context(flags: int = 0) -> Context:
    """A context on the emulated device, made current."""
    return Device(0).make_context(flags)


__all__ = ["DeviceAllocation", "PointerHolderBase", "SourceModule", "Function", "In", "Out", "InOut", "to_device",
           "to_gpu", "empty", "zeros", "mem_alloc", "mem_alloc_like", "memcpy_htod", "memcpy_dtoh", "memcpy_dtod",
           "memcpy_htod_async", "memcpy_dtoh_async", "memcpy_dtod_async", "memset_d8", "memset_d16", "memset_d32",
           "from_device", "from_device_like", "synchronize", "Context", "Device", "device_attribute", "init",
           "make_context", "mem_get_info", "get_version", "get_driver_version", "CUDA_VERSION", "Event", "Stream",
           "pagelocked_empty", "pagelocked_zeros", "pagelocked_empty_like", "pagelocked_zeros_like",
           "register_host_memory", "aligned_empty", "aligned_zeros", "check_determinism", "DeviceArray",
           "Error", "LaunchError"]
