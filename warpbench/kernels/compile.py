"""nvcc → cubin (and PTX on request), with resource usage and an on-disk cache.

The cache key covers the source, every header next to it, the ``-D`` defines, the flags,
nvcc's version and the target architecture, so a change to any of them recompiles and
nothing else does. No GPU is needed: this is how CI proves every variant still compiles
for sm_90 without spills.
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from warpbench.cache import atomic_write, cache_dir, digest
from warpbench.config import debug
from warpbench.errors import CompileError, ToolMissing

KERNEL_DIR = Path(__file__).parent / "cuda"
DEFAULT_FLAGS = ("-O3", "-lineinfo", "-std=c++17")


@dataclass(frozen=True)
class Resources:
    """What ptxas reports for one entry point."""

    registers: int = 0
    shared_static: int = 0
    stack: int = 0
    spill_stores: int = 0
    spill_loads: int = 0
    barriers: int = 0

    @property
    def spills(self) -> int:
        """Bytes spilled to local memory (stores plus loads); zero is the goal."""
        return self.spill_stores + self.spill_loads


@dataclass(frozen=True)
class CompiledModule:
    """A cubin for one (source, defines, arch) and the resources of each entry in it."""

    source: Path
    arch: str
    defines: dict
    cubin: bytes
    resources: dict[str, Resources]
    key: str


def nvcc_path() -> str:
    """Path of nvcc; ToolMissing when the CUDA toolkit is not installed."""
    found = shutil.which("nvcc") or next(
        (p for p in ("/usr/local/cuda/bin/nvcc",) if os.access(p, os.X_OK)), None)
    if not found:
        raise ToolMissing("nvcc not found: install the CUDA toolkit or put its bin/ on PATH")
    return found


@functools.lru_cache(maxsize=None)
def nvcc_version() -> str:
    """nvcc's release line, e.g. ``"release 13.0, V13.0.88"``."""
    out = subprocess.run([nvcc_path(), "--version"], capture_output=True, text=True).stdout
    match = re.search(r"release [^\n]+", out)
    return match.group(0) if match else out.strip().splitlines()[-1]


_ENTRY = re.compile(r"Compiling entry function '([^']+)' for '(sm_\w+)'")
_FRAME = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")
_USED = re.compile(r"Used (\d+) registers(?:, used (\d+) barriers)?(?:, (\d+) bytes smem)?")
_ERROR = re.compile(r"^(?P<file>[^\s(]+)\((?P<line>\d+)\): (?:error|catastrophic error): (?P<msg>.+)$", re.M)
_PTXAS_ERROR = re.compile(r"^ptxas (?:fatal|error)\s*:\s*(?P<msg>.+)$", re.M)


def parse_resource_usage(log: str) -> dict[str, Resources]:
    """Per-entry resources from nvcc's ``--resource-usage`` text."""
    found: dict[str, dict] = {}
    current = None
    for line in log.splitlines():
        if m := _ENTRY.search(line):
            current = found.setdefault(m.group(1), {})
        elif current is not None and (m := _FRAME.search(line)):
            current.update(stack=int(m.group(1)), spill_stores=int(m.group(2)),
                           spill_loads=int(m.group(3)))
        elif current is not None and (m := _USED.search(line)):
            current.update(registers=int(m.group(1)), barriers=int(m.group(2) or 0),
                           shared_static=int(m.group(3) or 0))
    return {name: Resources(**fields) for name, fields in found.items()}


def first_error(log: str, source: Path) -> str:
    """One line locating the first compiler error: ``file.cu:12: message``."""
    if m := _ERROR.search(log):
        return f"{Path(m.group('file')).name}:{m.group('line')}: {m.group('msg').strip()}"
    if m := _PTXAS_ERROR.search(log):
        return f"{source.name}: ptxas: {m.group('msg').strip()}"
    lines = [ln for ln in log.strip().splitlines() if ln.strip()]
    return f"{source.name}: {lines[-1] if lines else 'nvcc failed without a message'}"


_INCLUDE = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.M)


def local_includes(source: Path) -> list[Path]:
    """Headers ``source`` includes with quotes from its own folder, recursively, in first-seen order."""
    seen: list[Path] = []
    pending = [source]
    while pending:
        text = pending.pop().read_bytes()
        for name in _INCLUDE.findall(text):
            header = source.parent / name.decode()
            if header.exists() and header not in seen:
                seen.append(header)
                pending.append(header)
    return seen


def source_digest_parts(source: Path) -> list:
    """The source text and every local header it includes (a header change must recompile)."""
    parts = [source.name, source.read_bytes()]
    for header in local_includes(source):
        parts += [header.name, header.read_bytes()]
    return parts


def define_flags(defines: dict) -> list[str]:
    """``-DNAME=value`` flags in a stable order."""
    return [f"-D{k}={v}" for k, v in sorted(defines.items())]


def compile_cubin(source: Path | str, defines: dict | None = None, arch: str = "sm_90",
                  flags: tuple[str, ...] = DEFAULT_FLAGS, kernel: str | None = None) -> CompiledModule:
    """Compile ``source`` for ``arch`` with ``defines``; cached on disk.

    ``kernel`` only names the variant in error messages. Raises CompileError with the
    first error's file:line and nvcc's message, ToolMissing without nvcc.
    """
    source = Path(source)
    if not source.is_absolute() and not source.exists():
        source = KERNEL_DIR / source
    defines = dict(defines or {})
    key = digest(*source_digest_parts(source), sorted(defines.items()), flags, nvcc_version(), arch)
    folder = cache_dir("nvcc")
    cubin_path, meta_path = folder / f"{key}.cubin", folder / f"{key}.json"
    if cubin_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        debug(2, f"nvcc cache hit {source.name} {defines} {arch}")
        return CompiledModule(source, arch, defines, cubin_path.read_bytes(),
                              {k: Resources(**v) for k, v in meta["resources"].items()}, key)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "module.cubin"
        cmd = [nvcc_path(), "-cubin", f"-arch={arch}", *flags, "--resource-usage",
               f"-I{source.parent}", *define_flags(defines), "-o", str(out), str(source)]
        debug(1, f"nvcc {source.name} {defines} {arch}")
        debug(3, " ".join(cmd))
        run = subprocess.run(cmd, capture_output=True, text=True)
        log = run.stdout + run.stderr
        if run.returncode != 0:
            who = f"{kernel}: " if kernel else ""
            raise CompileError(f"{who}nvcc failed for {arch}: {first_error(log, source)}")
        cubin = out.read_bytes()
    resources = parse_resource_usage(log)
    atomic_write(cubin_path, cubin)
    atomic_write(meta_path, json.dumps({"resources": {k: asdict(v) for k, v in resources.items()},
                                        "nvcc": nvcc_version(), "log": log}).encode())
    return CompiledModule(source, arch, defines, cubin, resources, key)


def compile_ptx(source: Path | str, defines: dict | None = None, arch: str = "sm_90",
                flags: tuple[str, ...] = DEFAULT_FLAGS) -> str:
    """PTX of ``source`` for reading (``compute_XX`` of ``arch``); cached like cubins."""
    source = Path(source)
    if not source.is_absolute() and not source.exists():
        source = KERNEL_DIR / source
    defines = dict(defines or {})
    key = digest("ptx", *source_digest_parts(source), sorted(defines.items()), flags, nvcc_version(), arch)
    path = cache_dir("nvcc") / f"{key}.ptx"
    if path.exists():
        return path.read_text()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "module.ptx"
        virtual = arch.replace("sm_", "compute_")
        cmd = [nvcc_path(), "-ptx", f"-arch={virtual}", *flags, f"-I{source.parent}",
               *define_flags(defines), "-o", str(out), str(source)]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            raise CompileError(f"nvcc -ptx failed: {first_error(run.stdout + run.stderr, source)}")
        text = out.read_text()
    atomic_write(path, text.encode())
    return text
