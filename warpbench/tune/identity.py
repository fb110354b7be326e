"""What a tuning result is valid for: the run key of a kernel, device and problem.

The source hash covers the kernel's file (or a user kernel's text) and the registry headers
it includes with ``#include "..."``, so editing either starts a new run instead of serving
stale results; the compiler is nvcc's release line (``nvcc missing`` without one).
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from warpbench.cache import digest
from warpbench.errors import ToolMissing
from warpbench.kernels.compile import KERNEL_DIR, nvcc_version
from warpbench.kernels.source import source_file
from warpbench.kernels.spec import KernelSpec, Problem
from warpbench.tune.database import RunKey

_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def _texts(path: Path, seen: set[Path]) -> list[str]:
    if path in seen or not path.is_file():
        return []
    seen.add(path)
    text = path.read_text(errors="replace")
    found = [text]
    for name in _INCLUDE.findall(text):
        for folder in (path.parent, KERNEL_DIR):
            if (folder / name).is_file():
                found += _texts(folder / name, seen)
                break
    return found


def source_hash(spec: KernelSpec) -> str:
    """SHA-256 (16 hex digits) of ``spec``'s source and the local headers it includes."""
    return digest(*_texts(source_file(spec), set()))[:16]


@functools.lru_cache(maxsize=None)
def compiler_version() -> str:
    """nvcc's release line, or ``nvcc missing``."""
    try:
        return nvcc_version()
    except ToolMissing:
        return "nvcc missing"


def problem_text(problem: Problem) -> str:
    """The problem as canonical JSON (sorted names)."""
    return json.dumps(dict(problem), sort_keys=True, default=str)


def device_label(device) -> str:
    """How a run key names ``device``: its kind and properties' name (``emu: CUDA emulator ...``)."""
    return f"{device.kind}: {device.properties.name}"


def key_compiler(objective: str) -> str:
    """A run key's compiler field: the compiler's version, and for a ``model`` run the model's."""
    from warpbench.tune.model import MODEL_VERSION
    return compiler_version() + (f"; model v{MODEL_VERSION}" if objective == "model" else "")


def run_key(spec: KernelSpec, device, problem: Problem, objective: str) -> RunKey:
    """The key of tuning ``spec`` on ``device`` for ``problem`` by ``objective`` (a ``model`` run's
    compiler field also names the model's version)."""
    return RunKey(kernel=spec.name, source_hash=source_hash(spec),
                  defines=json.dumps(dict(spec.extra_defines), sort_keys=True), compiler=key_compiler(objective),
                  device=device_label(device), arch=device.properties.arch, problem=problem_text(problem),
                  dtype=str(problem.get("dtype", spec.dtypes[0])), objective=objective)
