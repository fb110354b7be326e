"""Compiling kernel sources into shared objects with g++, cached on disk.

A module is the rewritten main source plus the rewritten local headers it includes,
compiled with the prelude force-included and linked with the runtime's objects (built
once per runtime version). The cache key covers the source, the content of every local
header, defines, flags, include directories, name expressions, the compiler's version,
the toolkit headers and every prelude/runtime source, so an unchanged module is never
rebuilt. Compile errors are cached too (the compiler is deterministic), so a failing
source is not recompiled either; ``build_stats`` counts compilations and cache hits.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from warpbench.cache import atomic_write, cache_dir, digest
from warpbench.config import debug
from warpbench.errors import CompileError
from warpbench.emu.abi import ABI_VERSION
from warpbench.emu.rewrite import PreparedSource, prepare_header, prepare_main
from warpbench.emu.source_scan import find_includes
from warpbench.emu.toolchain import (INCLUDE_DIR, PRELUDE, RUNTIME_DIR, compiler,
                                              emulator_sources, toolkit_fingerprint,
                                              toolkit_include)

# -g1: line tables for addr2line (free at compile time). gnu2 TLS descriptors make the
# __shared__ (thread_local) accesses cheaper. Stack-clash probes make a large local array
# hit the fiber's guard page instead of skipping over it into a neighbour's stack.
BASE_FLAGS = ["-std=c++17", "-O2", "-g1", "-fPIC", "-fno-strict-aliasing", "-fno-exceptions",
              "-Wno-unknown-pragmas", "-mtls-dialect=gnu2", "-fstack-clash-protection"]
# -fno-gnu-unique: inline statics would otherwise be STB_GNU_UNIQUE and pin the module in
# memory, so a rebuilt module could not be loaded beside the old one.
MODULE_FLAGS = BASE_FLAGS + ["-shared", "-fno-gnu-unique", "-D__WARPBENCH_EMU__=1"]
RUNTIME_FLAGS = BASE_FLAGS + ["-fvisibility=hidden"]
_NVCC_ONLY = re.compile(
    r"^--?(G|lineinfo|ftz|prec-div|prec-sqrt|fmad|extended-lambda|expt-\w+|rdc|"
    r"relocatable-device-code|resource-usage|cubin|ptx|fatbin|keep|restrict|default-stream|"
    r"Xptxas|Xcompiler|arch|gencode|code|gpu-architecture|gpu-code|maxrregcount|ccbin)\b")
_TAKES_VALUE = {"-I", "-D", "-U", "-include", "-arch", "-gencode", "-code", "-Xptxas",
                "-Xcompiler", "-maxrregcount", "-ccbin", "--gpu-architecture", "--ptxas-options"}
_DIAGNOSTIC = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?:\d+:)? (?P<kind>fatal error|error|note|"
                         r"warning|required from here|\s*required from)(?P<text>.*)$", re.M)

build_stats = {"compiled": 0, "cached": 0}


@dataclass(frozen=True)
class BuiltModule:
    """A compiled module in the cache and what the build learnt about its source."""
    path: Path
    key: str
    prepared: PreparedSource
    cached: bool
    source_names: tuple[str, ...]   # the main file's display name, then the headers' paths


def translate_options(options: list[str]) -> list[str]:
    """nvcc/PyCUDA-style options as g++ flags: -D/-U/-I/-O/-W/-f/-g pass through,
    --use_fast_math defines __USE_FAST_MATH__, GPU-only options are ignored."""
    flags, pending = [], None
    for option in options:
        if pending is not None:
            if pending in ("-I", "-D", "-U", "-include"):
                flags += [pending, option]
            pending = None
        elif option in _TAKES_VALUE:
            pending = option
        elif option in ("--use_fast_math", "-use_fast_math"):
            flags.append("-D__USE_FAST_MATH__=1")
        elif re.match(r"^-std=(c|gnu)\+\+(17|2\w)$", option) or (
                not _NVCC_ONLY.match(option) and re.match(r"^-(D|U|I|O|W|w$|g|f)", option)):
            flags.append(option)
        else:
            debug(1, f"emu: ignoring compiler option {option!r}")
    return flags


def define_flags(defines: dict | None) -> list[str]:
    """``{"TILE": 16, "FAST": None}`` -> ``["-DFAST", "-DTILE=16"]``."""
    flags = []
    for name, value in sorted((defines or {}).items()):
        if value is False:
            continue
        flags.append(f"-D{name}" if value is None or value is True else f"-D{name}={value}")
    return flags


def _resolve(delimiter: str, name: str, current_dir: str | None, include_dirs: list[str]) -> str | None:
    dirs = ([current_dir] if delimiter == '"' and current_dir else []) + include_dirs
    for directory in dirs:
        candidate = os.path.abspath(os.path.join(directory, name))
        if os.path.isfile(candidate):
            return candidate
    return None


def local_headers(text: str, main_dir: str | None, include_dirs: list[str]) -> dict[str, str]:
    """Every header reachable from ``text`` through includes that resolve in the main
    file's directory or ``include_dirs`` (not system headers): absolute path -> content."""
    found: dict[str, str] = {}
    queue = [(text, main_dir)]
    while queue:
        content, directory = queue.pop()
        for delimiter, name in find_includes(content):
            path = _resolve(delimiter, name, directory, include_dirs)
            if path and path not in found:
                found[path] = Path(path).read_text()
                queue.append((found[path], os.path.dirname(path)))
    return found


def _mirror(tree: Path, path: str) -> Path:
    return tree / os.path.abspath(path).lstrip(os.sep)


@lru_cache(maxsize=None)
def runtime_objects() -> tuple[Path, ...]:
    """The runtime compiled once per runtime version and compiler, in the cache."""
    cxx, version = compiler()
    key = digest("wbemu-runtime", ABI_VERSION, version, RUNTIME_FLAGS, emulator_sources())
    directory = cache_dir("emu") / f"runtime-{key[:20]}"
    sources = sorted(RUNTIME_DIR.glob("*.cpp"))
    objects = tuple(directory / f"{s.stem}.o" for s in sources)
    missing = [(s, o) for s, o in zip(sources, objects) if not o.exists()]
    if missing:
        directory.mkdir(parents=True, exist_ok=True)
        debug(1, f"emu: building the runtime ({len(missing)} files) in {directory}")
        jobs = []
        for source, target in missing:
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            cmd = [cxx, *RUNTIME_FLAGS, "-I", str(INCLUDE_DIR), "-c", str(source), "-o", str(tmp)]
            jobs.append((subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True), tmp, target))
        for process, tmp, target in jobs:
            _, errors = process.communicate()
            if process.returncode != 0:
                raise CompileError(f"emulator runtime failed to compile: {first_error(errors)}")
            os.replace(tmp, target)
    return objects


def first_error(log: str) -> str:
    """One line from a g++ log: the first error, located at the first user-source line
    involved (not inside the emulator's prelude)."""
    lines = list(_DIAGNOSTIC.finditer(log))
    errors = [m for m in lines if "error" in m.group("kind")]
    if not errors:
        text = log.strip().splitlines()
        return text[-1] if text else "compiler failed without a message"
    error = errors[0]
    prelude_dir = str(INCLUDE_DIR)
    located = next((m for m in lines[:lines.index(error) + 1]
                    if not m.group("file").startswith((prelude_dir, "/usr/"))), error)
    more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
    return f"{located.group('file')}:{located.group('line')}: {error.group('kind')}{error.group('text')}{more}"


def _compile_error(log: str) -> CompileError:
    error = CompileError(first_error(log))
    error.log = log
    return error


def _compile(prepared: PreparedSource, headers: dict[str, str], main_path: str,
             include_dirs: list[str], flags: list[str], target: Path) -> None:
    cxx, _ = compiler()
    with tempfile.TemporaryDirectory(prefix="wbemu-") as tmp:
        tree = Path(tmp) / "tree"
        for path, text in [(main_path, prepared.text), *headers.items()]:
            mirrored = _mirror(tree, path)
            mirrored.parent.mkdir(parents=True, exist_ok=True)
            mirrored.write_text(text)
        includes = ["-I", str(INCLUDE_DIR)]
        includes += [f"-I{_mirror(tree, d)}" for d in include_dirs] + [f"-I{d}" for d in include_dirs]
        toolkit = toolkit_include()
        includes += ["-isystem", str(toolkit)] if toolkit else ["-DWBEMU_NO_TOOLKIT=1"]
        output = Path(tmp) / "module.so"
        cmd = [cxx, *MODULE_FLAGS, *flags, *includes, "-include", str(PRELUDE),
               "-x", "c++", str(_mirror(tree, main_path)), "-x", "none",
               *map(str, runtime_objects()), "-o", str(output)]
        debug(3, "emu: " + " ".join(cmd))
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            atomic_write(target.with_suffix(".error"), done.stderr.encode())
            raise _compile_error(done.stderr)
        atomic_write(target, output.read_bytes())


def build(source: str, *, filename: str | None, defines: dict | None, options: list[str] | None,
          include_dirs: list[str] | None, name_expressions: list[str] | None) -> BuiltModule:
    """Compile ``source`` (or find it in the cache) and return where the module is."""
    display = filename or "kernel.cu"
    main_path = os.path.abspath(filename) if filename else os.path.join(os.sep, "wbemu-virtual", "kernel.cu")
    include_dirs = [os.path.abspath(d) for d in include_dirs or []]
    prepared = prepare_main(source, display, list(name_expressions or []))
    headers = {path: prepare_header(text, path)
               for path, text in local_headers(source, os.path.dirname(main_path) if filename else None,
                                               include_dirs).items()}
    flags = translate_options(list(options or [])) + define_flags(defines)
    key = digest("wbemu-module", ABI_VERSION, compiler()[1], toolkit_fingerprint(), emulator_sources(),
                 MODULE_FLAGS, flags, include_dirs, main_path, prepared.text, sorted(headers.items()))
    target = cache_dir("emu") / f"{key[:40]}.so"
    failure = target.with_suffix(".error")
    cached = target.exists() or failure.exists()
    if cached:
        build_stats["cached"] += 1
        debug(1, f"emu: cache hit for {display} ({target.name})")
        if not target.exists():
            raise _compile_error(failure.read_text())
    else:
        build_stats["compiled"] += 1
        debug(1, f"emu: compiling {display} -> {target.name}")
        _compile(prepared, headers, main_path, include_dirs, flags, target)
    return BuiltModule(target, key, prepared, cached, (display, *headers))
