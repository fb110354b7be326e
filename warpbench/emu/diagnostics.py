"""Turning the runtime's diagnostic records into one-line exceptions and warnings.

A record carries the kind, the block, the thread, the source location (from the call site
of the barrier or warp operation, or from the program counter through addr2line for
faults and the watchdog) and a message; this module adds the kernel and buffer names.
"""
from __future__ import annotations

import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

from warpbench.emu import abi
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
            # The module was compiled from a mirror of the sources in a temporary directory.
            original = next((n for n in context.source_names if file.endswith(n.lstrip("./"))), file)
            return original, int(number)
    return None, None


def _decode(raw: bytes | None) -> str | None:
    return raw.decode(errors="replace") if raw else None


def _buffer_text(context: LaunchContext, record: abi.Diagnostic) -> str:
    index, array = context.arrays[record.buffer]
    label = array.name or context.param_names[index]
    allocation = array._root
    whole = "" if allocation is array else ", the allocation it is a view of"
    offset = record.offset
    where = f"byte +{offset} after its end" if offset >= 0 else f"byte {offset} before its start"
    return (f"wrote outside buffer '{label}' (parameter {index}{whole}, {allocation.dtype}"
            f"{list(allocation.shape)}, {allocation.nbytes} bytes): {record.message.decode()}; first at {where}")


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
    if record.kind == abi.DIAG_OUT_OF_BOUNDS and 0 <= record.buffer < len(context.arrays):
        text = _buffer_text(context, record)
    if record.kind == abi.DIAG_WATCHDOG and record.other_file:
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
    raise _ERRORS.get(errors[0].kind, E.KernelFault)(message, **fields)
