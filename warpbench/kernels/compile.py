"""nvcc → cubin with the resource usage ptxas reports, through the one compile cache.

No GPU is needed: this is how CI proves every variant still compiles for sm_90 without
spills. The cache key covers the source, every header nvcc read (its ``-MMD`` output; the
toolkit's own headers are covered by nvcc's version), the defines, the flags and the target
architecture, so a change to any of them recompiles and nothing else does.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from warpbench.compiler import GCC_DIAGNOSTIC, Compiler, define_flags
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


@functools.lru_cache(maxsize=None)
def toolkit_root() -> Path:
    """The CUDA toolkit nvcc belongs to (nvcc may be a wrapper script elsewhere)."""
    dry = subprocess.run([nvcc_path(), "--dryrun", "-E", "-x", "cu", os.devnull],
                         capture_output=True, text=True, check=False)
    match = re.search(r"^#\$ TOP=(.+)$", dry.stdout + dry.stderr, re.M)
    top = Path(match.group(1).strip()) if match else Path(nvcc_path()).parent.parent
    return top.resolve()


_ENTRY = re.compile(r"Compiling entry function '([^']+)' for '(sm_\w+)'")
_FRAME = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")
_USED = re.compile(r"Used (\d+) registers(?:, used (\d+) barriers)?(?:, (\d+) bytes smem)?")


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


@dataclass(frozen=True)
class NvccJob:
    """One cubin to build: ``options`` are nvcc flags (-O, -I, -D...); ``kernel`` names the
    variant in error messages."""

    source: Path
    arch: str
    options: tuple[str, ...]
    kernel: str | None = None

    @property
    def name(self) -> str:
        """The source's file name, for messages."""
        return self.source.name


class NvccCompiler(Compiler):
    """nvcc → cubin; the metadata holds each entry's ptxas resources and ptxas's log."""

    kind = "nvcc"
    suffix = ".cubin"
    # file(line): kind: text from nvcc's front end; the preprocessor's in g++'s format.
    diagnostics = (re.compile(r"^(?P<file>[^\s(][^(\n]*)\((?P<line>\d+)\): (?P<kind>catastrophic error|"
                              r"error|warning|remark)(?P<text>.*)$", re.M), GCC_DIAGNOSTIC)

    def identity(self) -> tuple:
        return nvcc_version(), str(toolkit_root())

    def key_parts(self, job: NvccJob) -> tuple:
        return str(job.source.resolve()), job.source.read_bytes(), job.arch, job.options

    def fingerprinted(self) -> tuple[Path, ...]:
        return (toolkit_root(),)

    def command(self, job: NvccJob, work: Path) -> tuple[list[str], Path]:
        output = work / "module.cubin"
        return [nvcc_path(), "-cubin", f"-arch={job.arch}", *job.options, "--resource-usage",
                f"-I{job.source.parent}", "-o", str(output), str(job.source)], output

    def metadata(self, job: NvccJob, log: str) -> dict:
        resources = parse_resource_usage(log)
        return {"resources": {k: asdict(v) for k, v in resources.items()}, "log": log}

    def label(self, job: NvccJob) -> str:
        return f"{job.kernel + ': ' if job.kernel else ''}nvcc failed for {job.arch}: "


NVCC = NvccCompiler()


def compile_cubin(source: Path | str, defines: dict | None = None, arch: str = "sm_90",
                  flags: tuple[str, ...] = DEFAULT_FLAGS, kernel: str | None = None) -> CompiledModule:
    """Compile ``source`` (a path, or a file name in the registry's kernel folder) for ``arch``
    with ``defines`` and nvcc ``flags``; cached on disk.

    ``kernel`` only names the variant in error messages. Raises CompileError with the
    first error's file:line and nvcc's message, ToolMissing without nvcc.
    """
    source = Path(source)
    if not source.is_absolute() and not source.exists():
        source = KERNEL_DIR / source
    if not source.is_file():
        raise CompileError(f"{kernel + ': ' if kernel else ''}no kernel source {source}")
    defines = dict(defines or {})
    artefact = NVCC.compile(NvccJob(source, arch, (*flags, *define_flags(defines)), kernel))
    resources = {k: Resources(**v) for k, v in artefact.metadata["resources"].items()}
    return CompiledModule(source, arch, defines, artefact.data, resources, artefact.key)
