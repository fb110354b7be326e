"""The host compiler for ops written in C: generated C++ in, a loaded shared object out.

A :class:`HostCompiler` is one more :class:`warpbench.compiler.Compiler` (the emulator's g++,
``WARPBENCH_EMU_CXX``, without the emulator's prelude): the key, the disk cache (kind
``c_op``), header tracking and the one-line ``file:line: error`` all come from there. The
generated source is written next to the cache, under ``c_op/src/``, before compiling, so
that the file named in a compile error is one the user can open.
"""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from pathlib import Path

from warpbench.cache import atomic_write, cache_dir, digest
from warpbench.compiler import Compiler
from warpbench.emu.toolchain import compiler

# -fno-gnu-unique: a rebuilt object must load beside the old one (see warpbench.emu.build).
HOST_FLAGS = ("-std=c++17", "-O2", "-fPIC", "-shared", "-fno-gnu-unique", "-fno-strict-aliasing",
              "-Wno-unused-variable", "-Wno-unused-but-set-variable")


@dataclass(frozen=True)
class HostJob:
    """One generated C++ source: its entry name (for messages), the text and the op's version."""

    name: str
    label: str           # who the code belongs to, e.g. "C code of AXPBOp{a=4, b=5}"
    text: str
    version: tuple


class HostCompiler(Compiler):
    """g++ -shared of one generated source into a shared object, through the one cache."""

    kind = "c_op"
    suffix = ".so"

    def identity(self) -> tuple:
        return compiler()[1], HOST_FLAGS

    def key_parts(self, job: HostJob) -> tuple:
        return job.version, job.text

    def source_path(self, job: HostJob) -> Path:
        """Where the generated text is kept for the user to read (named by its content)."""
        return cache_dir(self.kind) / "src" / f"{job.name}-{digest(job.text)[:12]}.cpp"

    def command(self, job: HostJob, work: Path) -> tuple[list[str], Path]:
        source = self.source_path(job)
        if not source.is_file() or source.read_text(errors="replace") != job.text:
            atomic_write(source, job.text.encode())
        output = work / f"{job.name}.so"
        return [compiler()[0], *HOST_FLAGS, "-x", "c++", str(source), "-o", str(output)], output

    def label(self, job: HostJob) -> str:
        return f"{job.label} failed to compile: "


HOST = HostCompiler()
_loaded: dict[str, ctypes.CDLL] = {}


def load(job: HostJob) -> ctypes.CDLL:
    """The shared object of ``job``, compiled (or found in the cache) and loaded once per process."""
    artefact = HOST.compile(job)
    library = _loaded.get(artefact.key)
    if library is None:
        library = ctypes.CDLL(str(artefact.path), mode=os.RTLD_NOW | os.RTLD_LOCAL)
        _loaded[artefact.key] = library
    return library
