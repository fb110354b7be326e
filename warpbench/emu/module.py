"""A compiled kernel module loaded into the process: its kernels, globals and shared layout."""
from __future__ import annotations

import ctypes
import os
import tempfile
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from warpbench.errors import ShapeError, UnknownNameError
from warpbench.emu import abi, addresses, elf
from warpbench.emu.rewrite import normalize_expression

if TYPE_CHECKING:
    from warpbench.emu.build import BuiltModule

_ANCHOR = "g_tls_anchor"
_PAD = "wbemu_shared_pad"   # canary bytes the source rewrite puts around __shared__ declarations


def _load_private_copy(data: bytes) -> ctypes.CDLL:
    """dlopen the (verified) bytes of a shared object under a fresh name: the loader returns
    the already loaded object for a path (or inode) it knows, and each module must own its
    globals."""
    fd, copy = tempfile.mkstemp(prefix="wbemu-", suffix=".so")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return ctypes.CDLL(copy, mode=os.RTLD_NOW | os.RTLD_LOCAL)
    finally:
        os.unlink(copy)


class EmuModule:
    """Kernels of one compiled source. ``kernels`` lists the exported names; template
    kernels appear under the name expressions they were compiled for."""

    def __init__(self, built: BuiltModule):
        artefact = built.artefact
        self.path, self.cached, self.key = artefact.path, artefact.cached, artefact.key
        self.source_names = built.source_names
        self.declarations = {k.name: k for k in built.prepared.kernels}
        self._library = _load_private_copy(artefact.data)
        abi.bind(self._library)
        abi.check(self._library, str(artefact.path))
        self.base_address = self._library.wbemu_module_base()
        count = ctypes.c_uint()
        table = self._library.wbemu_kernel_table(ctypes.byref(count))
        self._entries = {table[i].name.decode(): abi.KernelEntry.from_buffer_copy(table[i])
                         for i in range(count.value)}
        self._functions: dict = {}
        self.build_inputs: dict | None = None   # compile_module's arguments, for instrumented()
        self._instrumented = None

    def instrumented(self) -> "EmuModule":
        """This module's instrumented build (every load and store reported to the runtime:
        warpbench.emu.instrument), compiled on first use and cached apart from the plain one."""
        if self.build_inputs is None or self.build_inputs.get("instrumented"):
            return self
        if self._instrumented is None:
            self._instrumented = compile_module(**{**self.build_inputs, "instrumented": True})
        return self._instrumented

    @property
    def kernels(self) -> list[str]:
        """Names get_function accepts."""
        return list(self._entries)

    @property
    def library(self) -> ctypes.CDLL:
        """The loaded shared object (its ``wbemu_launch`` runs kernels)."""
        return self._library

    def get_function(self, name: str):
        """The kernel called ``name`` (a plain name or a compiled template name expression)."""
        from warpbench.emu.function import EmuFunction
        key = normalize_expression(name)
        if key not in self._functions:
            entry = self._entries.get(key)
            if entry is None:
                decl = self.declarations.get(key)
                if decl is not None and decl.is_template:
                    raise UnknownNameError(f"kernel '{key}' is a template: compile it with a name "
                                           f"expression such as '{key}<...>' (name_expressions=...)")
                raise UnknownNameError(f"no kernel '{key}' in this module; it has: "
                                       f"{', '.join(self._entries) or 'no kernels'}")
            base = key.split("<")[0].split("::")[-1]
            self._functions[key] = EmuFunction(self, key, entry, self.declarations.get(base))
        return self._functions[key]

    @cached_property
    def symbols(self) -> list[elf.Symbol]:
        """The module's static symbol table."""
        return elf.read_symbols(self.path)

    def get_global(self, name: str) -> tuple[int, int]:
        """(address, size in bytes) of a ``__device__`` or ``__constant__`` variable."""
        for symbol in self.symbols:
            if (symbol.name == name and symbol.type == elf.STT_OBJECT
                    and symbol.binding in (elf.STB_GLOBAL, elf.STB_WEAK)):
                address = self.base_address + symbol.value
                addresses.track(self, address, address + symbol.size, address, address + symbol.size,
                                f"__device__ variable '{name}' ({symbol.size} bytes)")
                return address, symbol.size
        raise UnknownNameError(f"no __device__ or __constant__ variable '{name}' with external "
                               "linkage in this module")

    def global_array(self, name: str, dtype=np.uint8) -> np.ndarray:
        """A writable numpy view of a ``__device__``/``__constant__`` variable's memory."""
        address, size = self.get_global(name)
        dtype = np.dtype(dtype)
        if size % dtype.itemsize:
            raise ShapeError(f"global '{name}' has {size} bytes, not a whole number of {dtype}")
        buffer = (ctypes.c_char * size).from_address(address)
        return np.frombuffer(buffer, dtype)

    def user_globals(self) -> dict[str, tuple[int, int]]:
        """Every C-named global variable of the kernel source: name -> (address, size)."""
        return {s.name: (self.base_address + s.value, s.size) for s in self.symbols
                if s.type == elf.STT_OBJECT and s.binding in (elf.STB_GLOBAL, elf.STB_WEAK)
                and s.visibility == elf.STV_DEFAULT and s.size
                and not s.name.startswith(("_Z", "wbemu_", "__"))}

    @cached_property
    def tls_anchor_offset(self) -> int:
        """Offset of the runtime's anchor variable in the module's TLS block."""
        return next(s.value for s in self.symbols if s.type == elf.STT_TLS and _ANCHOR in s.name)

    def shared_layout(self, kernel_address: int) -> tuple[list[tuple[int, int]], int]:
        """TLS byte ranges holding the ``__shared__`` arrays a kernel may use (its own,
        plus those of device functions and namespace scope), and their total size; every
        array of the module when the kernel's symbol is not found."""
        tls = [s for s in self.symbols if s.type == elf.STT_TLS and _ANCHOR not in s.name and _PAD not in s.name]
        functions = {s.value: s.name for s in self.symbols if s.type == elf.STT_FUNC}
        own = functions.get(kernel_address - self.base_address)
        used = tls
        if own is not None:
            kernel_prefixes = [elf.local_static_prefix(functions[e.address - self.base_address])
                               for e in self._entries.values() if e.address - self.base_address in functions]
            mine = elf.local_static_prefix(own)
            used = [s for s in tls if s.name.startswith(mine)
                    or not any(s.name.startswith(p) for p in kernel_prefixes)]
        return [(s.value, s.size) for s in used], sum(s.size for s in used)

    @cached_property
    def shared_arrays(self) -> list[tuple[int, int, str]]:
        """(TLS offset, size, source name) of every ``__shared__`` array, by offset."""
        return sorted((s.value, s.size, elf.variable_name(s.name)) for s in self.symbols
                      if s.type == elf.STT_TLS and s.size and _ANCHOR not in s.name and _PAD not in s.name)

    @cached_property
    def shared_guards(self) -> list[tuple[int, int]]:
        """(TLS offset, size) of the bytes of the TLS block outside every ``__shared__`` array
        (the rewrite's pads, alignment gaps, the runtime's anchor at the end): no kernel may
        write them."""
        covered = sorted((s.value, s.value + s.size) for s in self.symbols
                         if s.type == elf.STT_TLS and _PAD not in s.name and _ANCHOR not in s.name)
        end = max((s.value + s.size for s in self.symbols if s.type == elf.STT_TLS), default=0)
        guards, position = [], 0
        for start, stop in covered + [(end, end)]:
            if start > position:
                guards.append((position, start - position))
            position = max(position, stop)
        return guards


def compile_module(source: str, *, filename: str | None = None, defines: dict | None = None,
                   options: list[str] | None = None, include_dirs: list[str] | None = None,
                   name_expressions: list[str] | None = None, instrumented: bool = False):
    """Compile ``source`` (cached on disk) and load it; returns an EmuModule.

    ``filename`` names the source in diagnostics and is the base of relative includes;
    ``defines`` maps macro names to values (None: defined without value); ``options`` are
    nvcc/g++-style flags (-D, -I, -O..., GPU-only options ignored); ``name_expressions``
    lists template instantiations to export, e.g. ``["matmul<32>"]``; ``instrumented``
    compiles the build the profiler and racecheck use. Raises UnsupportedFeature,
    warpbench.errors.CompileError or ToolMissing.
    """
    from warpbench.emu.build import build
    inputs = dict(source=source, filename=filename, defines=defines, options=options, include_dirs=include_dirs,
                  name_expressions=name_expressions, instrumented=instrumented)
    module = EmuModule(build(**inputs))
    module.build_inputs = inputs
    return module


def compile_file(path, **kwargs):
    """:func:`compile_module` of the file at ``path`` (its name used in diagnostics)."""
    return compile_module(Path(path).read_text(), filename=str(path), **kwargs)
