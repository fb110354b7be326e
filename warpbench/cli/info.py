"""``warpbench info``: versions, tools and every device, or why it is unavailable."""
from __future__ import annotations

import os
import platform
import shutil
import subprocess

import numpy as np

import warpbench
from warpbench.errors import WarpbenchError


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("info", help="versions, tools and devices (or why a device is unavailable)")
    p.set_defaults(handler=handle)


def tool_line(name: str) -> str:
    """Version line of nvcc or g++, or why it is missing."""
    if name == "nvcc":
        from warpbench.kernels.compile import nvcc_path, nvcc_version
        try:
            return f"{nvcc_version()} ({nvcc_path()})"
        except WarpbenchError as exc:
            return f"missing: {exc}"
    path = shutil.which(name)
    if not path:
        return f"missing: {name} not on PATH (the emulator needs it)"
    first = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.splitlines()
    return f"{first[0] if first else 'unknown version'} ({path})"


def hostcode_line() -> str:
    """Whether the Cython host code is built, and with OpenMP or serial loops."""
    try:
        from warpbench.hostcode import buildinfo
    except ImportError as exc:
        return f"not built ({exc}); run `pip install -e .`"
    if not buildinfo.OPENMP:
        return "built, OpenMP off (serial loops)"
    threads = os.environ.get("OMP_NUM_THREADS") or os.cpu_count()
    return f"built, OpenMP on ({threads} threads)"


def device_lines() -> list[str]:
    """One line per device kind, with the details the device gives (driver and GPU
    properties on cuda), or why it is unavailable."""
    from warpbench.runtime import DEVICE_KINDS, get_device
    lines = []
    for kind in DEVICE_KINDS:
        try:
            dev = get_device(kind)
        except WarpbenchError as exc:
            lines.append(f"  {kind}: unavailable: {str(exc).removeprefix(kind + ' unavailable: ')}")
            continue
        first, *details = dev.describe()
        lines.append(f"  {kind}: {first}")
        lines += [f"    {line}" for line in details]
    return lines


def handle(args) -> int:
    """Print the report."""
    from warpbench.runtime import default_device_kind
    print(f"warpbench {warpbench.__version__} (python {platform.python_version()}, numpy {np.__version__})")
    print(f"nvcc: {tool_line('nvcc')}")
    print(f"g++: {tool_line('g++')}")
    print(f"hostcode: {hostcode_line()}")
    print("devices:")
    print("\n".join(device_lines()))
    print(f"default device: {default_device_kind()}")
    return 0
