"""g++ for the emulator: the runtime's objects and kernel modules, through the one compile cache.

A module is the rewritten main source plus the rewritten user headers it includes, compiled
with the prelude force-included and linked with the runtime's objects. The headers to
rewrite are the ones g++ itself finds (a ``-MM`` pass over the original files); the
rewritten copies are mirrored, at their own absolute paths, into a scratch tree searched
before the original folders, and the headers the real compile read map back to the
originals, which the cache entry tracks (warpbench.compiler). The prelude, the runtime and
the toolkit headers are fingerprinted in the key instead (toolchain).
"""
from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from warpbench.cache import Artefact, cache_dir
from warpbench.compiler import Compiler, define_flags, inside
from warpbench.config import debug
from warpbench.emu.abi import ABI_VERSION
from warpbench.emu.rewrite import PreparedSource, prepare_header, prepare_main
from warpbench.emu.toolchain import (INCLUDE_DIR, PRELUDE, RUNTIME_DIR, compiler, emulator_sources,
                                     toolkit_fingerprint, toolkit_include)

# -g1: line tables for addr2line (free at compile time). gnu2 TLS descriptors make the
# __shared__ (thread_local) accesses cheaper. Stack-clash probes make a large local array
# hit the fiber's guard page instead of skipping over it into a neighbour's stack.
BASE_FLAGS = ["-std=c++17", "-O2", "-g1", "-fPIC", "-fno-strict-aliasing", "-fno-exceptions",
              "-Wno-unknown-pragmas", "-mtls-dialect=gnu2", "-fstack-clash-protection"]
# -fno-gnu-unique: inline statics would otherwise be STB_GNU_UNIQUE and pin the module in
# memory, so a rebuilt module could not be loaded beside the old one.
MODULE_FLAGS = BASE_FLAGS + ["-shared", "-fno-gnu-unique", "-D__WARPBENCH_EMU__=1"]
RUNTIME_FLAGS = BASE_FLAGS + ["-fvisibility=hidden"]
# The instrumented build: g++ calls __tsan_read4 & co. around every access, and the runtime
# (instrument.cpp) defines them; libtsan is kept out of the link by -nodefaultlibs.
INSTRUMENT_FLAGS = ["-fsanitize=thread", "--param", "tsan-instrument-func-entry-exit=0"]
INSTRUMENT_LINK = ["-nodefaultlibs", "-lstdc++", "-lm", "-lc", "-lgcc_s", "-lgcc"]
VIRTUAL_MAIN = os.path.join(os.sep, "wbemu-virtual", "kernel.cu")
_NVCC_ONLY = re.compile(
    r"^--?(G|lineinfo|ftz|prec-div|prec-sqrt|fmad|extended-lambda|expt-\w+|rdc|"
    r"relocatable-device-code|resource-usage|cubin|ptx|fatbin|keep|restrict|default-stream|"
    r"Xptxas|Xcompiler|arch|gencode|code|gpu-architecture|gpu-code|maxrregcount|ccbin)\b")
_TAKES_VALUE = {"-I", "-D", "-U", "-include", "-arch", "-gencode", "-code", "-Xptxas",
                "-Xcompiler", "-maxrregcount", "-ccbin", "--gpu-architecture", "--ptxas-options"}


def translate_options(options: list[str]) -> tuple[list[str], list[str]]:
    """nvcc/PyCUDA-style options as g++ flags and include folders: -I gives a folder (its
    headers are rewritten like the main source), -D/-U/-O/-W/-f/-g pass through,
    --use_fast_math defines __USE_FAST_MATH__, GPU-only options are ignored."""
    flags, folders, pending = [], [], None
    for option in options:
        if pending is not None:
            if pending == "-I":
                folders.append(option)
            elif pending in ("-D", "-U", "-include"):
                flags += [pending, option]
            pending = None
        elif option in _TAKES_VALUE:
            pending = option
        elif option.startswith("-I"):
            folders.append(option[2:])
        elif option in ("--use_fast_math", "-use_fast_math"):
            flags.append("-D__USE_FAST_MATH__=1")
        elif re.match(r"^-std=(c|gnu)\+\+(17|2\w)$", option) or (
                not _NVCC_ONLY.match(option) and re.match(r"^-(D|U|O|W|w$|g|f)", option)):
            flags.append(option)
        else:
            debug(1, f"emu: ignoring compiler option {option!r}")
    return flags, folders


class EmuCompiler(Compiler):
    """g++ as the emulator uses it: its identity and the folders fingerprinted in it."""

    kind = "emu"

    def identity(self) -> tuple:
        return ABI_VERSION, compiler()[1], toolkit_fingerprint(), emulator_sources()

    def fingerprinted(self) -> tuple[Path, ...]:
        return INCLUDE_DIR, RUNTIME_DIR


@dataclass(frozen=True)
class RuntimeJob:
    """One source file of the emulator's runtime."""

    source: Path

    @property
    def name(self) -> str:
        """The runtime file's name, for messages."""
        return self.source.name


class RuntimeCompiler(EmuCompiler):
    """g++ -c of one runtime file (its content is in ``identity`` already)."""

    suffix = ".o"

    def key_parts(self, job: RuntimeJob) -> tuple:
        return tuple(RUNTIME_FLAGS), job.name

    def command(self, job: RuntimeJob, work: Path) -> tuple[list[str], Path]:
        output = work / f"{job.source.stem}.o"
        return [compiler()[0], *RUNTIME_FLAGS, "-I", str(INCLUDE_DIR), "-c", str(job.source),
                "-o", str(output)], output

    def label(self, job: RuntimeJob) -> str:
        return "emulator runtime failed to compile: "


@dataclass(frozen=True)
class ModuleJob:
    """One kernel module: the prepared main source, where it stands, how it is compiled."""

    name: str                       # the main file's name in diagnostics
    main_path: str                  # its absolute path (VIRTUAL_MAIN without a file)
    text: str                       # the prepared (rewritten) main source
    include_dirs: tuple[str, ...]
    flags: tuple[str, ...]
    objects: tuple[Artefact, ...]   # the runtime
    instrumented: bool = False      # every load and store calls the runtime (warpbench.emu.instrument)


def _mirror(tree: Path, path: str) -> Path:
    return tree / os.path.abspath(path).lstrip(os.sep)


class ModuleCompiler(EmuCompiler):
    """g++ of a kernel module into a shared object, from rewritten copies of its sources."""

    suffix = ".so"

    def key_parts(self, job: ModuleJob) -> tuple:
        return (MODULE_FLAGS, job.flags, job.include_dirs, job.main_path, job.text,
                [o.key for o in job.objects], INSTRUMENT_FLAGS if job.instrumented else ())

    def origin(self, path: str, work: Path) -> str:
        tree = str(work / "tree") + os.sep
        return os.sep + path[len(tree):] if path.startswith(tree) else path

    def command(self, job: ModuleJob, work: Path) -> tuple[list[str], Path]:
        tree = work / "tree"
        _mirror(tree, job.main_path).parent.mkdir(parents=True, exist_ok=True)
        _mirror(tree, job.main_path).write_text(job.text, errors="surrogateescape")
        scan = work / "scan.d"
        # The main file stands in the tree: its own folder is searched for quoted includes
        # by hand here, and in the compile through the copies made now.
        beside_main = [] if job.main_path == VIRTUAL_MAIN else [f"-iquote{os.path.dirname(job.main_path)}"]
        log = self.run([*self._compile_args(job, tree), *beside_main, "-MM", "-MF", str(scan)], job)
        for header in self.dependencies(scan, job, log):
            if not inside(header, self.fingerprinted()):
                text = Path(header).read_text(errors="surrogateescape")
                mirrored = _mirror(tree, header)
                mirrored.parent.mkdir(parents=True, exist_ok=True)
                mirrored.write_text(prepare_header(text, header), errors="surrogateescape")
        output = work / "module.so"
        return [*self._compile_args(job, tree), "-x", "none", *(str(o.path) for o in job.objects),
                *(INSTRUMENT_LINK if job.instrumented else ()), "-o", str(output)], output

    def _compile_args(self, job: ModuleJob, tree: Path) -> list[str]:
        includes = ["-I", str(INCLUDE_DIR)]
        includes += [f"-I{_mirror(tree, d)}" for d in job.include_dirs] + [f"-I{d}" for d in job.include_dirs]
        toolkit = toolkit_include()
        includes += ["-isystem", str(toolkit)] if toolkit else ["-DWBEMU_NO_TOOLKIT=1"]
        return [compiler()[0], *MODULE_FLAGS, *(INSTRUMENT_FLAGS if job.instrumented else ()), *job.flags,
                *includes, "-include", str(PRELUDE),
                "-x", "c++", str(_mirror(tree, job.main_path))]


RUNTIME = RuntimeCompiler()
MODULES = ModuleCompiler()


def runtime_objects() -> tuple[Artefact, ...]:
    """The runtime's objects in the cache, compiled once per runtime version and compiler
    (again when cache eviction removed one since this process last linked)."""
    objects = _runtime_objects(cache_dir("emu"))
    if all(o.path.exists() for o in objects):
        return objects
    _runtime_objects.cache_clear()
    return _runtime_objects(cache_dir("emu"))


@lru_cache(maxsize=None)
def _runtime_objects(folder: Path) -> tuple[Artefact, ...]:
    sources = sorted(RUNTIME_DIR.glob("*.cpp"))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return tuple(pool.map(RUNTIME.compile, map(RuntimeJob, sources)))


@dataclass(frozen=True)
class BuiltModule:
    """A compiled module and what the build learnt about its source."""

    artefact: Artefact
    prepared: PreparedSource
    source_names: tuple[str, ...]   # the main file's display name, then the headers' paths


def build(source: str, *, filename: str | None, defines: dict | None, options: list[str] | None,
          include_dirs: list[str] | None, name_expressions: list[str] | None,
          instrumented: bool = False) -> BuiltModule:
    """Compile ``source`` (or find it in the cache) and return the module's artefact;
    ``instrumented``: the build whose every access calls the runtime (its own cache entry)."""
    display = filename or "kernel.cu"
    prepared = prepare_main(source, display, list(name_expressions or []))
    flags, option_dirs = translate_options(list(options or []))
    folders = tuple(dict.fromkeys(os.path.abspath(d) for d in [*option_dirs, *(include_dirs or [])]))
    job = ModuleJob(display, os.path.abspath(filename) if filename else VIRTUAL_MAIN, prepared.text,
                    folders, (*flags, *define_flags(defines)), runtime_objects(), instrumented)
    artefact = MODULES.compile(job)
    return BuiltModule(artefact, prepared, (display, *artefact.headers))
