"""Where a kernel spec's CUDA source lies on disk, for nvcc and the emulator alike.

A registry spec names a file under ``warpbench/kernels/cuda/``. A user kernel carries its
source text (``KernelSpec.code``); it is saved once, under a name made of the kernel's
name and the text's digest, in the ``user`` folder of the compile cache, and from there
it takes the same path as a registry source: the same compilers, the same cache keys
(which cover the text), the registry's headers on the include path, and diagnostics that
point at a file the user can open.
"""
from __future__ import annotations

import re
from pathlib import Path

from warpbench import cache
from warpbench.kernels.compile import DEFAULT_FLAGS, KERNEL_DIR, CompiledModule, compile_cubin
from warpbench.kernels.spec import KernelSpec


def source_file(spec: KernelSpec) -> Path:
    """The file holding ``spec``'s source: the registry file, or the user text saved in the cache."""
    if spec.code is None:
        return KERNEL_DIR / spec.source
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(spec.source).stem)[:64] or "kernel"
    path = cache.cache_dir("user") / f"{stem}-{cache.digest(spec.code)[:16]}.cu"
    if not path.is_file() or path.read_text(errors="replace") != spec.code:
        cache.atomic_write(path, spec.code.encode())
    return path


def nvcc_module(spec: KernelSpec, defines: dict, arch: str) -> CompiledModule:
    """``spec``'s source compiled by nvcc for ``arch`` with ``defines`` (the cuda device's build)."""
    path = source_file(spec)
    includes = () if path.parent == KERNEL_DIR else (f"-I{KERNEL_DIR}",)  # nvcc searches the source's folder
    return compile_cubin(path, defines, arch=arch, flags=(*DEFAULT_FLAGS, *includes), kernel=spec.name)


def emu_module(spec: KernelSpec, defines: dict):
    """``spec``'s source compiled by g++ for the emulator with ``defines`` (the emu device's build)."""
    from warpbench.emu import compile_module
    path = source_file(spec)
    return compile_module(path.read_text(), filename=str(path), defines=defines, include_dirs=[str(KERNEL_DIR)])
