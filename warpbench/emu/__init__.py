"""The CUDA-on-CPU emulator: the same CUDA C kernels, compiled with g++ and run on the CPU.

Every CUDA thread is a fiber (our own x86-64 context switch), blocks run one after
another on one OS thread; ``__syncthreads`` and warp operations are rendezvous points.
Beyond running kernels it reports barrier divergence, deadlocks, warp-operation mask or
call-site mismatches, out-of-bounds writes (canary redzones and guard regions), static and
dynamic shared memory overruns, integer division traps, device asserts, memory faults,
runaway threads (watchdog), launches over their time limit, and schedule-dependent
results (:func:`check_determinism`). Every fault is an exception; the process survives,
and Ctrl-C stops a launch with KeyboardInterrupt.

PyCUDA-style API (``warpbench.emu.driver``): ``import warpbench.emu as drv`` in place of
``pycuda.driver``, ``SourceModule``, ``In``/``Out``/``InOut``, ``mem_alloc``, ``memcpy_*``,
``Device``, ``Event``, ``Stream``; ``warpbench.emu.gpuarray``, ``.cumath``, ``.curandom``, ``.elementwise``,
``.reduction``, ``.compiler``, ``.tools`` and ``.autoinit`` stand for PyCUDA's modules of
the same names (submodules: ``from warpbench.emu import gpuarray`` imports on first use).

Low-level API (used by the "emu" device)::

    mod = compile_module(source, filename="gemm.cu", defines={"TILE": 16},
                         include_dirs=["warpbench/kernels/cuda"],
                         name_expressions=["sgemm<16>"])      # -> EmuModule
    f = mod.get_function("sgemm<16>")                        # -> EmuFunction
    f.name, f.param_types, f.param_names                     # "sgemm<16>", ["const float*", ...]
    a, c = to_device(host_a), empty((m, n), np.float32)      # DeviceArray (.get(), .set(), ...)
    f(a, b, c, np.int32(m), np.int32(n), np.int32(k), grid=(n // 16, m // 16), block=(16, 16),
      shared=0, thread_order="forward", block_order="forward", check_determinism=False,
      poison=0xFF, watchdog=None, time_limit=None)           # poison: byte filling __shared__
    report = check_determinism(f, a, b, c, np.int32(m), ..., grid=..., block=...)
    report.identical, report.differences, report.summary(), report.raise_if_different()
    mod.kernels, mod.get_global("weights") -> (address, nbytes), mod.global_array("weights", np.float32)

``source`` is compiled as is: kernels are exported automatically when they are
non-template ``__global__`` functions (use ``extern "C"`` for PyCUDA-compatible names);
template kernels only through ``name_expressions``. Orders are "forward", "reverse" or
"random:<seed>". Environment: ``WARPBENCH_EMU_WATCHDOG`` (seconds without progress before
a launch is stopped, default 30, 0 = off), ``WARPBENCH_EMU_TIME_LIMIT`` (seconds a launch
may run in all, default 300, 0 = off), ``WARPBENCH_EMU_STACK_KIB`` (fiber stack size,
default 64), ``WARPBENCH_EMU_CXX`` (compiler), ``WARPBENCH_EMU_NO_TOOLKIT`` (ignore the
CUDA toolkit headers), and ``WARPBENCH_CACHE_DIR`` for the module cache (``cache_dir("emu")``).
"""
from __future__ import annotations

from warpbench.emu.determinism import BufferDifference, DeterminismReport
from warpbench.emu.driver import (CUDA_VERSION, Context, Device, DeviceAllocation, Event, Function, In, InOut, Out,
                                  SourceModule, PointerHolderBase, Stream, aligned_empty, aligned_zeros,
                                  check_determinism, device_attribute, from_device, from_device_like,
                                  get_driver_version, get_version, init, make_context, mem_alloc, mem_alloc_like,
                                  mem_get_info, memcpy_dtod, memcpy_dtod_async, memcpy_dtoh, memcpy_dtoh_async,
                                  memcpy_htod, memcpy_htod_async, memset_d8, memset_d16, memset_d32,
                                  pagelocked_empty, pagelocked_empty_like, pagelocked_zeros, pagelocked_zeros_like,
                                  register_host_memory, synchronize, to_gpu)
from warpbench.emu.errors import (ArithmeticFault, BarrierDivergence, Deadlock, DeviceAssert,
                                  DeviceMemoryError, EmuError, InvalidAddress, KernelFault, MemoryFault,
                                  NondeterministicResult, OutOfBoundsAccess, OutOfBoundsWrite,
                                  PortabilityWarning, RaceDetected, SharedMemoryOverflow, UninitializedRead, TimeLimitExceeded, UnsupportedFeature,
                                  WarpOpMismatch, WatchdogTimeout)
from warpbench.emu.memory import DeviceArray, empty, to_device, zeros
from warpbench.emu.module import compile_file, compile_module

__all__ = [
    "SourceModule", "Function", "In", "Out", "InOut", "mem_alloc", "mem_alloc_like", "memcpy_htod",
    "memcpy_dtoh", "memcpy_dtod", "memcpy_htod_async", "memcpy_dtoh_async", "memcpy_dtod_async", "memset_d8",
    "memset_d16", "memset_d32", "from_device", "from_device_like", "synchronize", "Context", "Device",
    "device_attribute", "init", "make_context", "mem_get_info", "get_version", "get_driver_version",
    "CUDA_VERSION", "Event", "Stream", "pagelocked_empty", "pagelocked_zeros", "pagelocked_empty_like",
    "pagelocked_zeros_like", "register_host_memory", "aligned_empty", "aligned_zeros", "DeviceAllocation",
    "PointerHolderBase", "to_gpu",
    "compile_module", "compile_file", "check_determinism", "DeterminismReport", "BufferDifference",
    "DeviceArray", "to_device", "empty", "zeros",
    "EmuError", "KernelFault", "BarrierDivergence", "Deadlock", "WarpOpMismatch", "OutOfBoundsWrite",
    "SharedMemoryOverflow", "MemoryFault", "ArithmeticFault", "DeviceAssert", "WatchdogTimeout",
    "TimeLimitExceeded", "UnsupportedFeature", "NondeterministicResult", "PortabilityWarning",
    "InvalidAddress", "DeviceMemoryError", "RaceDetected", "UninitializedRead", "OutOfBoundsAccess",
]
