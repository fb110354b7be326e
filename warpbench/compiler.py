"""The Compiler contract: a compile request in, verified bytes out, through one disk cache.

A compiler turns a source and its options into bytes (tinygrad's ``Compiler``): nvcc into a
cubin (warpbench.kernels.compile), g++ into the emulator's runtime objects and kernel
modules (warpbench.emu.build). A subclass says what selects its output (``identity``,
``key_parts``), which folders it fingerprints in ``identity`` (``fingerprinted``) and the
command for a work folder (``command``). :meth:`Compiler.compile` does the rest, once for
all: the key, the lookup and store in warpbench.cache, the run with ``-MMD -MF`` so that the
compiler itself lists the headers it read, and the one-line error of a failed build.

The key of a request covers the source, defines, flags, target and the compiler's version;
the headers are checked through the entry's manifest (ccache's direct mode). System headers
are left out by ``-MMD``, and so are headers under the ``fingerprinted`` folders.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import os
import re
import subprocess
import tempfile
from pathlib import Path

from warpbench import cache
from warpbench.cache import Artefact, digest
from warpbench.config import debug
from warpbench.errors import CompileError, ToolMissing

# file:line[:column]: kind text, as g++ (and nvcc's host compiler) writes diagnostics.
GCC_DIAGNOSTIC = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?:\d+:)? (?P<kind>fatal error|error|note|"
                            r"warning|required from here|\s*required from)(?P<text>.*)$", re.M)
_SYSTEM_DIRS = ("/usr",)


def define_flags(defines: dict | None) -> list[str]:
    """``{"TILE": 16, "FAST": None}`` -> ``["-DFAST", "-DTILE=16"]`` (True: defined, False: left out)."""
    flags = []
    for name, value in sorted((defines or {}).items()):
        if value is False:
            continue
        flags.append(f"-D{name}" if value is None or value is True else f"-D{name}={value}")
    return flags


def read_depfile(path: Path) -> list[str]:
    """The prerequisites of the make rule a ``-MF`` file holds, as absolute paths (relative
    ones are taken from the current directory, where the compiler ran); the source compiled
    comes first."""
    text = path.read_text(errors="replace").replace("\\\n", " ")
    _, _, prerequisites = text.partition(": ")
    names = re.findall(r"(?:\\.|\$\$|[^\s\\])+", prerequisites)
    unescaped = (re.sub(r"\\(.)", r"\1", name).replace("$$", "$") for name in names)
    return list(dict.fromkeys(os.path.abspath(name) for name in unescaped))


def inside(path: str, folders) -> bool:
    """Whether ``path`` lies under one of ``folders`` (symbolic links resolved)."""
    real = os.path.realpath(path)
    return any(real.startswith(os.path.realpath(folder).rstrip(os.sep) + os.sep) for folder in folders)


def _shown(file: str) -> str:
    here = os.getcwd() + os.sep
    return file[len(here):] if file.startswith(here) else file


def first_error(log: str, diagnostics, quiet_dirs=()) -> str | None:
    """``file:line: error: message`` for the first error of a compiler log, placed at the first
    line of its report outside ``quiet_dirs`` and the system headers (so an error inside the
    emulator's prelude points at the user's line), with the count of further errors; None
    when the log has no error in one of the ``diagnostics`` formats."""
    found = sorted((m for pattern in diagnostics for m in pattern.finditer(log)), key=lambda m: m.start())
    errors = [m for m in found if "error" in m.group("kind")]
    if not errors:
        return None
    error = errors[0]
    quiet = (*quiet_dirs, *_SYSTEM_DIRS)
    located = next((m for m in found[:found.index(error) + 1] if not inside(m.group("file"), quiet)), error)
    more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
    return (f"{_shown(located.group('file'))}:{located.group('line')}: "
            f"{error.group('kind').strip()}{error.group('text')}{more}")


class Compiler(ABC):
    """Source + options -> bytes, cached on disk. Subclasses implement the hooks below; a
    job is the subclass's own description of one request, with a ``name`` for messages."""

    kind = ""                       # the cache folder and the name in debug lines
    suffix = ""                     # the artefact's file ending
    diagnostics = (GCC_DIAGNOSTIC,)  # how the compiler writes errors

    def __init__(self):
        self.stats = {"compiled": 0, "cached": 0}

    @abstractmethod
    def identity(self) -> tuple:
        """The compiler's version and what it fingerprints (headers it ships, target machine)."""

    @abstractmethod
    def key_parts(self, job) -> tuple:
        """Everything of ``job`` that selects the output: source text and path, flags, defines."""

    @abstractmethod
    def command(self, job, work: Path) -> tuple[list[str], Path]:
        """The command compiling ``job`` with ``work`` as scratch folder, and its output file."""

    def fingerprinted(self) -> tuple[Path, ...]:
        """Folders whose headers ``identity`` covers: not hashed one by one, not blamed for errors."""
        return ()

    def origin(self, path: str, work: Path) -> str:
        """The file the user knows for a dependency the compiler reported (a copy made in
        ``work`` maps back to its original)."""
        return path

    def metadata(self, job, log: str) -> dict:
        """JSON-able facts about a successful compile, stored and served with the artefact."""
        return {}

    def label(self, job) -> str:
        """The start of ``job``'s error messages (who failed, for what)."""
        return ""

    def compile(self, job) -> Artefact:
        """The artefact of ``job``: from the cache when its entry is intact and no header it
        read has changed, else compiled and stored. Raises CompileError (one line, the
        compiler's text in ``.log``) or ToolMissing; a failure is never cached."""
        key = digest(type(self).__name__, self.identity(), self.key_parts(job))
        found = cache.lookup(self.kind, key)
        if found is not None:
            self.stats["cached"] += 1
            debug(1, f"{self.kind}: cache hit for {job.name} ({found.path.name})")
            return found
        self.stats["compiled"] += 1
        debug(1, f"{self.kind}: compiling {job.name}")
        with tempfile.TemporaryDirectory(prefix=f"warpbench-{self.kind}-") as tmp:
            work = Path(tmp)
            command, output = self.command(job, work)
            depfile = work / "dependencies.d"
            log = self.run([*command, "-MMD", "-MF", str(depfile)], job)
            data = output.read_bytes() if output.is_file() else b""
            if not data:
                raise self.failure(job, log, f"{job.name}: the compiler reported success but wrote nothing")
            headers = [self.origin(path, work) for path in self.dependencies(depfile, job, log)]
        tracked = [h for h in headers if not inside(h, self.fingerprinted())]
        stored = cache.store(self.kind, key, self.suffix, data, tracked, self.metadata(job, log))
        debug(1, f"{self.kind}: stored {job.name} as {stored.path} ({len(tracked)} headers tracked)")
        return stored

    def run(self, command: list[str], job) -> str:
        """Run one compiler command for ``job``; its output, or CompileError when it fails."""
        debug(3, f"{self.kind}: " + " ".join(command))
        try:
            done = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False)
        except OSError as exc:
            raise ToolMissing(f"cannot run {command[0]} ({exc.strerror or exc})") from None
        log = done.stdout + done.stderr
        if done.returncode < 0:
            raise self.failure(job, log, f"{job.name}: {Path(command[0]).name} was killed by signal "
                                         f"{-done.returncode}")
        if done.returncode != 0:
            lines = [line.strip() for line in log.splitlines() if line.strip()]
            fallback = f"{job.name}: {lines[-1] if lines else 'the compiler failed without a message'}"
            raise self.failure(job, log, first_error(log, self.diagnostics, self.fingerprinted()) or fallback)
        return log

    def dependencies(self, depfile: Path, job, log: str) -> list[str]:
        """The headers a ``-MF`` file lists (the source compiled left out); CompileError when the
        compiler did not write it, as the artefact could not be cached safely."""
        if not depfile.is_file():
            raise self.failure(job, log, f"{job.name}: the compiler wrote no dependency list")
        return read_depfile(depfile)[1:]

    def failure(self, job, log: str, message: str) -> CompileError:
        """The CompileError for ``job`` with ``message``; the whole log is kept in ``.log``."""
        error = CompileError(f"{self.label(job)}{message}")
        error.log = log
        return error
