"""The report's machine header: what ran, where, with which libraries and how many samples.

Numbers in a report mean nothing without the CPU, GPU and driver, the library and compiler
versions and the thread count behind them; this collects them once per report, as
label → text pairs in display order.
"""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path

import numpy as np

import warpbench
from warpbench.bench.suite import BenchRow


def git_commit() -> str:
    """Short hash of HEAD, or "unknown" outside a git checkout."""
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return run.stdout.strip() if run.returncode == 0 else "unknown"


def cpu_model(cpuinfo: str | None = None) -> str:
    """The CPU's marketing name from /proc/cpuinfo (``platform.processor()`` elsewhere)."""
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        cpuinfo = path.read_text() if path.exists() else ""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "cpu model") and value.strip():
            return value.strip()
    return platform.processor() or platform.machine() or "unknown"


def core_counts(cpuinfo: str | None = None) -> str:
    """Physical cores and hardware threads, and how many threads this process may use."""
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        cpuinfo = path.read_text() if path.exists() else ""
    cores, current = set(), {}
    for line in [*cpuinfo.splitlines(), ""]:
        key, _, value = (part.strip() for part in line.partition(":"))
        if not key:
            if "core id" in current:
                cores.add((current.get("physical id", "0"), current["core id"]))
            current = {}
        else:
            current[key] = value
    threads = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else threads
    physical = f"{len(cores)} cores, " if cores else ""
    return f"{physical}{threads} threads ({usable} usable by this process)"


def library_versions() -> str:
    """Python and the numerical libraries the numbers depend on."""
    import matplotlib
    import scipy
    return (f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
            f"matplotlib {matplotlib.__version__}, warpbench {warpbench.__version__}")


def gpu_lines(devices) -> str:
    """The GPU and its driver from a cuda device among ``devices``, or that there is none."""
    cuda = [d for d in devices if d.kind == "cuda"]
    if cuda:
        return "; ".join(cuda[0].describe())
    from warpbench.runtime import cuda_status
    usable, reason = cuda_status()
    return "present but not benchmarked" if usable else f"none ({reason})"


def sample_counts(rows: list[BenchRow]) -> str:
    """How many timed samples each case's median rests on."""
    from warpbench.bench.timing import measure
    counts = sorted({r.samples for r in rows if not r.error and r.samples})
    if not counts:
        return "no timed cases"
    defaults = measure.__kwdefaults__
    shown = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
    return (f"{shown} per case (median and IQR of up to {defaults['repeat']} samples after up to "
            f"{defaults['warmup']} warm-up calls, at most {defaults['max_seconds']:g} s of samples per case)")


def machine_header(devices=(), rows: list[BenchRow] = (), meta: dict | None = None) -> dict[str, str]:
    """Every header line of the report: date, commit, CPU, GPU, versions, threads, samples,
    then ``meta`` (what the caller adds, e.g. the kernel device)."""
    from warpbench.cli.info import hostcode_line, tool_line
    header = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "commit": git_commit(),
        "host": f"{platform.node()} ({platform.system()} {platform.release()})",
        "CPU": cpu_model(),
        "cores": core_counts(),
        "GPU": gpu_lines(devices),
        "libraries": library_versions(),
        "nvcc": tool_line("nvcc"),
        "g++": tool_line("g++"),
        "host code": hostcode_line(),
        "OpenMP threads": os.environ.get("OMP_NUM_THREADS") or f"{os.cpu_count()} (OMP_NUM_THREADS unset)",
        "samples": sample_counts(list(rows)),
    }
    return {**header, **{k: str(v) for k, v in (meta or {}).items()}}

