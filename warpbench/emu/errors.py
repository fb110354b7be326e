"""Exceptions and warnings of the CUDA emulator.

Every message is one line naming the kernel and, where known, the block, the thread and
the file:line in the kernel source. Compile failures raise ``warpbench.errors.CompileError``
and a missing g++ ``warpbench.errors.ToolMissing``; bad launch configurations
``ConfigError`` and argument dtypes ``DTypeError``, all from :mod:`warpbench.errors`.
"""
from __future__ import annotations

from warpbench.errors import CompileError, WarpbenchError


class EmuError(WarpbenchError):
    """Base class of the errors only the emulator raises."""


class DeviceMemoryError(EmuError, MemoryError):
    """Emulated device memory cannot be mapped (the size is beyond the address space, or
    the process has too many mappings)."""


class InvalidAddress(EmuError, ValueError):
    """A host-device copy names an address outside every live device allocation and
    ``__device__`` variable, or runs past the end of the one it starts in."""


class UnsupportedFeature(EmuError, CompileError):
    """The source uses a CUDA feature the emulator cannot run (found before compiling)."""

    def __init__(self, message: str, *, feature: str, file: str, line: int):
        super().__init__(message)
        self.feature, self.file, self.line = feature, file, line


class KernelFault(EmuError):
    """A launch went wrong inside the kernel.

    ``kernel`` names it; ``block`` and ``thread`` are (x, y, z) tuples or None when the
    fault cannot be pinned on one; ``file`` and ``line`` locate it in the source when known.
    """

    def __init__(self, message: str, *, kernel: str, block=None, thread=None,
                 file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.kernel, self.block, self.thread = kernel, block, thread
        self.file, self.line = file, line


class BarrierDivergence(KernelFault):
    """Threads of one block wait at different ``__syncthreads`` calls."""


class Deadlock(KernelFault):
    """A warp operation waits for a lane that waits elsewhere, so no thread can proceed."""


class WarpOpMismatch(KernelFault):
    """Lanes disagree on a warp operation's mask or call site, or a lane is not in its mask."""


class OutOfBoundsWrite(KernelFault):
    """A kernel wrote outside a device array (caught by its canary redzones, or at once by
    the guard regions around it)."""


class SharedMemoryOverflow(OutOfBoundsWrite):
    """A kernel wrote past a static ``__shared__`` array or past the dynamic shared memory
    requested at launch."""


class MemoryFault(KernelFault):
    """A kernel touched unmapped memory (or read outside a device array) or overflowed its stack."""


class ArithmeticFault(KernelFault):
    """Integer division (or %) by zero, or INT_MIN / -1, trapped in a kernel."""


class DeviceAssert(KernelFault):
    """A device-side ``assert`` failed or ``__trap()`` was called."""


class WatchdogTimeout(KernelFault):
    """A thread made no progress for the watchdog period (infinite loop or spin-wait)."""


class TimeLimitExceeded(WatchdogTimeout):
    """A launch ran longer than its time limit (a runaway loop that keeps reaching barriers)."""


class NondeterministicResult(EmuError):
    """Outputs differ between thread orders, block orders or poison patterns (a race,
    a missing barrier or a read of uninitialised memory)."""

    def __init__(self, message: str, *, kernel: str, report):
        super().__init__(message)
        self.kernel, self.report = kernel, report


class PortabilityWarning(UserWarning):
    """Legal for PTX on NVIDIA GPUs but undefined for CUDA, e.g. threads exiting before a
    ``__syncthreads`` the others still reach."""


class RaceDetected(KernelFault):
    """Racecheck (the instrumented build): two threads touched one byte in the same barrier
    interval, one writing, not both atomically (``inter_block``: two blocks, any interval).
    ``other_thread``, ``other_block``, ``other_file`` and ``other_line`` name the second access."""

    def __init__(self, message: str, *, other_thread=None, other_block=None, other_file=None,
                 other_line=None, inter_block: bool = False, **where):
        super().__init__(message, **where)
        self.other_thread, self.other_block = other_thread, other_block
        self.other_file, self.other_line, self.inter_block = other_file, other_line, inter_block


class UninitializedRead(KernelFault):
    """Initcheck (the instrumented build): a kernel read device or shared memory that nothing wrote."""


class OutOfBoundsAccess(MemoryFault):
    """The instrumented build saw a read or write outside every live allocation's data, through
    any pointer (struct members and computed addresses included), or past a ``__shared__`` array."""
