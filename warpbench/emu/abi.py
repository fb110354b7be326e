"""ctypes mirror of ``include/wbemu/abi.h``; keep both in step (and bump the version)."""
from __future__ import annotations

import ctypes as C

ABI_VERSION = 2

ORDER_FORWARD, ORDER_REVERSE, ORDER_RANDOM = 0, 1, 2
WARNING, ERROR = 0, 1

DIAG_BARRIER_DIVERGENCE = 1
DIAG_DEADLOCK = 2
DIAG_WARP_MISMATCH = 3
DIAG_OUT_OF_BOUNDS = 4
DIAG_SHARED_OVERFLOW = 5
DIAG_ASSERT = 6
DIAG_TRAP = 7
DIAG_WATCHDOG = 8
DIAG_MEMORY_FAULT = 9
DIAG_EXIT_BEFORE_BARRIER = 10
DIAG_INTERNAL = 11
DIAG_ARITHMETIC = 12
DIAG_INTERRUPT = 13
DIAG_TIME_LIMIT = 14

ACCESS_UNKNOWN, ACCESS_READ, ACCESS_WRITE = 0, 1, 2

MAX_DYNAMIC_SHARED = 227 * 1024


class Dim3(C.Structure):
    """struct wbemu_dim3: a grid, block or index triple."""

    _fields_ = [("x", C.c_uint), ("y", C.c_uint), ("z", C.c_uint)]

    def as_tuple(self) -> tuple[int, int, int]:
        """(x, y, z)."""
        return (self.x, self.y, self.z)


class Diagnostic(C.Structure):
    """struct wbemu_diagnostic: one finding of a launch."""

    _fields_ = [("code", C.c_int), ("severity", C.c_int), ("block", Dim3), ("thread", Dim3),
                ("other_thread", Dim3), ("has_thread", C.c_int), ("has_other_thread", C.c_int),
                ("file", C.c_char_p), ("line", C.c_int), ("other_file", C.c_char_p),
                ("other_line", C.c_int), ("buffer", C.c_int), ("offset", C.c_longlong),
                ("pc", C.c_uint64), ("address", C.c_uint64), ("access", C.c_int),
                ("message", C.c_char * 512)]


class Redzone(C.Structure):
    """struct wbemu_redzone: a canary region checked after every block."""

    _fields_ = [("start", C.c_void_p), ("expected", C.c_void_p), ("size", C.c_size_t),
                ("buffer", C.c_int), ("after", C.c_int)]


class Range(C.Structure):
    """struct wbemu_range: the address range of an array argument."""

    _fields_ = [("start", C.c_uint64), ("end", C.c_uint64)]


class TlsRange(C.Structure):
    """struct wbemu_tls_range: TLS bytes (of __shared__ arrays, or guards between them)."""

    _fields_ = [("offset", C.c_uint64), ("size", C.c_uint64)]


class LaunchConfig(C.Structure):
    """struct wbemu_launch_config: everything one launch needs."""

    _fields_ = [("thunk", C.c_void_p), ("args", C.c_void_p), ("grid", Dim3), ("block", Dim3),
                ("dynamic_shared", C.c_uint64), ("thread_order", C.c_int), ("block_order", C.c_int),
                ("thread_seed", C.c_uint64), ("block_seed", C.c_uint64), ("poison", C.c_int),
                ("watchdog_seconds", C.c_double), ("time_limit_seconds", C.c_double),
                ("stacks", C.c_void_p), ("stack_stride", C.c_uint64), ("stack_count", C.c_uint),
                ("signal_stack", C.c_void_p),
                ("signal_stack_size", C.c_uint64), ("redzones", C.POINTER(Redzone)),
                ("redzone_count", C.c_uint), ("buffers", C.POINTER(Range)), ("buffer_count", C.c_uint),
                ("tls_ranges", C.POINTER(TlsRange)), ("tls_range_count", C.c_uint),
                ("tls_anchor_offset", C.c_uint64), ("tls_guards", C.POINTER(TlsRange)),
                ("tls_guard_count", C.c_uint)]


class LaunchResult(C.Structure):
    """struct wbemu_launch_result: what a launch reports besides diagnostics."""

    _fields_ = [("failed", C.c_int), ("diagnostic_count", C.c_uint), ("dropped_diagnostics", C.c_uint),
                ("float_atomic_buffers", C.c_uint64), ("float_atomics_elsewhere", C.c_int),
                ("blocks_run", C.c_uint64), ("fiber_switches", C.c_uint64),
                ("interrupted", C.c_int)]


class KernelEntry(C.Structure):
    """struct wbemu_kernel: a row of a module's kernel table."""

    _fields_ = [("name", C.c_char_p), ("signature", C.c_char_p), ("thunk", C.c_void_p),
                ("address", C.c_void_p)]


class AbiInfo(C.Structure):
    """struct wbemu_abi_info: version and struct sizes, to detect a stale module."""

    _fields_ = [("version", C.c_uint), ("sizeof_launch_config", C.c_uint),
                ("sizeof_launch_result", C.c_uint), ("sizeof_diagnostic", C.c_uint),
                ("sizeof_kernel", C.c_uint)]


def bind(library: C.CDLL) -> None:
    """Declare the argument and result types of a module's exported functions."""
    library.wbemu_launch.argtypes = [C.POINTER(LaunchConfig), C.POINTER(LaunchResult)]
    library.wbemu_launch.restype = C.c_int
    library.wbemu_diagnostics.restype = C.POINTER(Diagnostic)
    library.wbemu_kernel_table.argtypes = [C.POINTER(C.c_uint)]
    library.wbemu_kernel_table.restype = C.POINTER(KernelEntry)
    library.wbemu_abi.restype = AbiInfo
    library.wbemu_module_base.restype = C.c_uint64


def check(library: C.CDLL, path: str) -> None:
    """Raise RuntimeError when the module was built against another version of this ABI."""
    info = library.wbemu_abi()
    expected = (ABI_VERSION, C.sizeof(LaunchConfig), C.sizeof(LaunchResult), C.sizeof(Diagnostic),
                C.sizeof(KernelEntry))
    found = (info.version, info.sizeof_launch_config, info.sizeof_launch_result,
             info.sizeof_diagnostic, info.sizeof_kernel)
    if found != expected:
        raise RuntimeError(f"emulator module {path} has ABI {found}, this warpbench expects {expected}")
