"""Turning the runtime's diagnostic records into one-line exceptions and warnings.

A record carries the kind, the block, the thread, the source location (from the call site
of the barrier or warp operation, or from the program counter through addr2line for
faults, overwritten canaries and stops) and a message; this module adds the kernel,
buffer and ``__shared__`` array names.
"""
from __future__ import annotations

import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

from warpbench.emu import abi, addresses
from warpbench.emu import errors as E
from warpbench.emu.memory import DeviceArray

_ERRORS = {
    abi.DIAG_BARRIER_DIVERGENCE: E.BarrierDivergence,
    abi.DIAG_DEADLOCK: E.Deadlock,
    abi.DIAG_WARP_MISMATCH: E.WarpOpMismatch,
    abi.DIAG_OUT_OF_BOUNDS: E.OutOfBoundsWrite,
    abi.DIAG_SHARED_OVERFLOW: E.SharedMemoryOverflow,
    abi.DIAG_ASSERT: E.DeviceAssert,
    abi.DIAG_TRAP: E.DeviceAssert,
    abi.DIAG_WATCHDOG: E.WatchdogTimeout,
    abi.DIAG_MEMORY_FAULT: E.MemoryFault,
    abi.DIAG_INTERNAL: E.KernelFault,
    abi.DIAG_ARITHMETIC: E.ArithmeticFault,
    abi.DIAG_TIME_LIMIT: E.TimeLimitExceeded,
}


@dataclass(frozen=True)
class LaunchContext:
    """What a message needs beyond the record: names, the arrays passed, the module file."""
    kernel: str
    param_names: list[str]
    arrays: list[tuple[int, DeviceArray]]
    module_path: Path
    module_base: int
    source_names: tuple[str, ...]
    shared_arrays: list[tuple[int, int, str]]   # (TLS offset, size, name) of __shared__ arrays


def source_line(context: LaunchContext, pc: int) -> tuple[str | None, int | None]:
    """Kernel-source file and line of a program counter, via addr2line (needs -g)."""
    tool = shutil.which("addr2line")
    if not pc or not tool or not context.module_path.exists() or pc < context.module_base:
        return None, None
    done = subprocess.run([tool, "-e", str(context.module_path), "-i", hex(pc - context.module_base)],
                          capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        file, _, number = line.rpartition(":")
        number = number.split()[0] if number else ""
        if file and file != "??" and number.isdigit() and int(number) > 0:
            return original_name(file, context.source_names), int(number)
    return None, None


def original_name(file: str, source_names) -> str:
    """The name the user knows for a file of the line table: the module was compiled from a
    mirror of the sources in a temporary directory."""
    return next((n for n in source_names if file.endswith(n.lstrip("./"))), file)


def _decode(raw: bytes | None) -> str | None:
    return raw.decode(errors="replace") if raw else None


def _array_label(context: LaunchContext, root: DeviceArray) -> str:
    """How a message names an allocation: the launch parameter it was passed as, if any."""
    for index, array in context.arrays:
        if array._root is root:
            whole = "" if array is root else ", the allocation it is a view of"
            return (f"buffer '{array.name or context.param_names[index]}' (parameter {index}{whole}, "
                    f"{root.describe()})")
    return f"a {root.describe()} device array not passed to this launch"


def _buffer_text(context: LaunchContext, record: abi.Diagnostic) -> str:
    array = context.arrays[record.buffer][1]
    offset = record.offset
    where = f"byte +{offset} after its end" if offset >= 0 else f"byte {offset} before its start"
    return f"wrote outside {_array_label(context, array._root)}: {record.message.decode()}; first at {where}"


def _guard_text(record: abi.Diagnostic, context: LaunchContext) -> str | None:
    """A memory fault inside the guard region of a live allocation, named; else None."""
    region = addresses.region_at(record.address) if record.address else None
    owner = region.owner() if region else None
    if not isinstance(owner, DeviceArray):
        return None
    if record.address >= region.data_end:
        where = f"{record.address - region.data_end} bytes after its end"
    else:
        where = f"{region.data_start - record.address} bytes before its start"
    verb = "wrote" if record.access == abi.ACCESS_WRITE else "read"
    return f"{verb} outside {_array_label(context, owner)}: {where} (in its guard region)"


def _shared_text(context: LaunchContext, record: abi.Diagnostic) -> str:
    """An overwritten guard between static ``__shared__`` arrays, blamed on the array whose
    end (overrun) or start (underrun) is nearer the first byte written."""
    offset = record.offset
    before = max(((o + n, n, name) for o, n, name in context.shared_arrays if o + n <= offset), default=None)
    after = min(((o, n, name) for o, n, name in context.shared_arrays if o > offset), default=None)
    text = record.message.decode()
    if before and (not after or offset - before[0] <= after[0] - offset):
        end, size, name = before
        return f"wrote past the end of __shared__ array '{name}' ({size} bytes): {text}; first at byte +{offset - end}"
    if after:
        start, size, name = after
        return (f"wrote before the start of __shared__ array '{name}' ({size} bytes): {text}; "
                f"first at byte {offset - start}")
    return text


def describe(context: LaunchContext, record: abi.Diagnostic) -> tuple[str, dict]:
    """One-line message and the location fields of a record."""
    file, line = _decode(record.file), record.line or None
    if record.pc and not file:
        file, line = source_line(context, record.pc)
    block = record.block.as_tuple()
    thread = record.thread.as_tuple() if record.has_thread else None
    parts = [f"kernel '{context.kernel}'", f"block {block}"]
    if thread is not None:
        parts.append(f"thread {thread}")
    if file:
        parts.append(f"at {file}:{line}")
    text = record.message.decode(errors="replace")
    if record.code == abi.DIAG_OUT_OF_BOUNDS and 0 <= record.buffer < len(context.arrays):
        text = _buffer_text(context, record)
    if record.code == abi.DIAG_SHARED_OVERFLOW and record.buffer >= 0:
        text = _shared_text(context, record)
    if record.code == abi.DIAG_MEMORY_FAULT:
        text = _guard_text(record, context) or text
    if record.code in (abi.DIAG_WATCHDOG, abi.DIAG_TIME_LIMIT) and record.other_file:
        text += f" (its last barrier or warp operation was at {_decode(record.other_file)}:{record.other_line})"
    fields = {"kernel": context.kernel, "block": block, "thread": thread, "file": file, "line": line}
    return " ".join(parts) + ": " + text, fields


def raise_for(context: LaunchContext, records: list[abi.Diagnostic], dropped: int) -> None:
    """Warn for every warning record, then raise the first error record as an exception."""
    for record in records:
        if record.severity == abi.WARNING:
            message, _ = describe(context, record)
            warnings.warn(E.PortabilityWarning(message), stacklevel=4)
    errors = [r for r in records if r.severity == abi.ERROR]
    if not errors:
        return
    message, fields = describe(context, errors[0])
    others = len(errors) - 1 + dropped
    if others:
        message += f" ({others} more diagnostic{'s' if others > 1 else ''})"
    raise _error_class(errors[0], context)(message, **fields)


def _error_class(record: abi.Diagnostic, context: LaunchContext) -> type:
    """A write into an allocation's guard region is an out-of-bounds write, not just a fault."""
    if (record.code == abi.DIAG_MEMORY_FAULT and record.access == abi.ACCESS_WRITE
            and _guard_text(record, context) is not None):
        return E.OutOfBoundsWrite
    return _ERRORS.get(record.code, E.KernelFault)
