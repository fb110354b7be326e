"""The host compiler and the CUDA toolkit headers the emulator builds kernels with.

``WARPBENCH_EMU_CXX`` picks the compiler (default ``g++``). The toolkit's ``cuda_fp16.h``
(for ``__half`` and CUDA's exact vector types) is looked up under ``$CUDA_HOME``,
``$CUDA_PATH``, next to ``nvcc`` and in ``/usr/local/cuda``; ``WARPBENCH_EMU_NO_TOOLKIT=1``
ignores it, in which case the prelude's own vector types are used.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

from warpbench.config import env_flag
from warpbench.errors import ToolMissing

PACKAGE_DIR = Path(__file__).resolve().parent
INCLUDE_DIR = PACKAGE_DIR / "include"
RUNTIME_DIR = PACKAGE_DIR / "runtime"
PRELUDE = INCLUDE_DIR / "wbemu" / "prelude.h"


@functools.lru_cache(maxsize=None)
def compiler() -> tuple[str, str]:
    """Path and version banner of the C++ compiler; raises ToolMissing when absent."""
    name = os.environ.get("WARPBENCH_EMU_CXX", "g++")
    path = shutil.which(name)
    if path is None:
        raise ToolMissing(f"the CUDA emulator compiles kernels with {name}, which is not installed "
                          "(install g++ >= 9, or set WARPBENCH_EMU_CXX)")
    banner = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    machine = subprocess.run([path, "-dumpmachine"], capture_output=True, text=True, check=False)
    return path, f"{banner.stdout.splitlines()[0] if banner.stdout else name} {machine.stdout.strip()}"


@functools.lru_cache(maxsize=None)
def toolkit_include() -> Path | None:
    """The CUDA toolkit's include directory holding cuda_fp16.h, or None."""
    if env_flag("WARPBENCH_EMU_NO_TOOLKIT"):
        return None
    candidates = [os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH")]
    nvcc = shutil.which("nvcc")
    if nvcc:
        candidates.append(str(Path(nvcc).resolve().parent.parent))
    candidates.append("/usr/local/cuda")
    for root in filter(None, candidates):
        include = Path(root) / "include"
        if (include / "cuda_fp16.h").is_file():
            return include
    return None


@functools.lru_cache(maxsize=None)
def toolkit_fingerprint() -> tuple:
    """Identifies the toolkit headers compiled into modules (part of every cache key)."""
    include = toolkit_include()
    if include is None:
        return ()
    files = ["cuda_fp16.h", "cuda_fp16.hpp", "vector_types.h", "cuda_bf16.h"]
    return (str(include),) + tuple(
        (f, (include / f).stat().st_size, (include / f).stat().st_mtime_ns)
        for f in files if (include / f).is_file())


@functools.lru_cache(maxsize=None)
def emulator_sources() -> tuple[tuple[str, bytes], ...]:
    """Every prelude and runtime source file, and the Python that rewrites kernel sources,
    with its content (hashed into cache keys: headers under these folders are not tracked
    one by one)."""
    rewriting = [PACKAGE_DIR / "rewrite.py", PACKAGE_DIR / "source_scan.py"]
    files = sorted([*rewriting, *(p for d in (INCLUDE_DIR, RUNTIME_DIR) for p in d.rglob("*") if p.is_file())])
    return tuple((str(p.relative_to(PACKAGE_DIR)), p.read_bytes()) for p in files)
