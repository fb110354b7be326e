"""Source rewriting: what C++ cannot express of CUDA C, done textually with line numbers kept.

* ``extern __shared__ T name[];`` becomes a pointer into the runtime's dynamic shared
  memory buffer (every such array aliases its start, as in CUDA);
* ``__noinline__`` becomes ``__attribute__((noinline))`` (a macro would break libstdc++);
* every static ``__shared__`` declaration is flanked by canary pads (``WBEMU_SHARED_PAD``),
  so that indexing past an array is caught after the block instead of corrupting memory;
* every call of a function holding a barrier is wrapped in a call-site guard, so barriers
  are told apart by call path (:mod:`warpbench.emu.call_sites`);
* features the emulator cannot run are refused before compiling, with file:line;
* a kernel table exporting every kernel (name, parameter types, launch thunk) is appended.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from warpbench.emu.call_sites import insert_call_guards
from warpbench.emu.errors import UnsupportedFeature
from warpbench.emu.source_scan import (KernelDecl, blank_directives, blank_gpu_only, find_kernels,
                                      mask_code, source_location)

_UNSUPPORTED = [
    (r"\b(?:asm|__asm__|__asm)\b(?:\s+(?:volatile|__volatile__))?\s*\(", "inline assembly (asm)",
     "guard it with #ifdef __CUDA_ARCH__ and give a portable fallback"),
    (r"\btexture\s*<|\btex(?:1D|2D|3D|Cubemap)\w*\s*[<(]|\btex1Dfetch\b|\bcudaTextureObject_t\b",
     "textures", "read the array through a pointer instead"),
    (r"\bsurf(?:1D|2D|3D)\w*\s*\(|\bcudaSurfaceObject_t\b", "surfaces", "use plain global memory"),
    (r"<<<", "dynamic parallelism (a kernel launch <<<...>>> in device code)",
     "launch child kernels from the host"),
    (r"\bthis_grid\s*\(|\bgrid_group\b|\bthis_multi_grid\s*\(|\bcudaLaunchCooperativeKernel\b",
     "grid-wide synchronisation (cooperative_groups::grid_group)",
     "split the kernel in two launches: blocks run one after another here"),
    (r"\bwmma\s*::|\bnvcuda\s*::|\bmma_sync\b|#\s*include\s*<mma\.h>|\b__hmma\w*",
     "tensor-core wmma/mma", "guard it with #ifdef __CUDA_ARCH__ and give a portable fallback"),
    (r"\bthis_cluster\s*\(|\bcluster_group\b|\b__cluster_dims__\b", "thread block clusters",
     "use one block"),
    (r"\bmemcpy_async\s*\(|\b__pipeline_memcpy_async\b|\bcuda\s*::\s*pipeline\b",
     "asynchronous copies (memcpy_async / pipelines)", "copy with plain loads and stores"),
]
_UNSUPPORTED_RE = [(re.compile(p), feature, hint) for p, feature, hint in _UNSUPPORTED]
_ATTRIBUTES = re.compile(r"__align__\s*\(\s*\d+\s*\)|alignas\s*\([^)]*\)|__attribute__\s*\(\(.*?\)\)"
                         r"|\b__shared__\b|\bstatic\b|\bextern\b", re.S)
_SHARED = re.compile(r"\b__shared__\b")
_EXTERN_SHARED = re.compile(r"\bextern\b(?P<spec>[^;{}]*?)\b(?P<name>[A-Za-z_]\w*)\s*\[\s*\]\s*;", re.S)


def c_string(text: str) -> str:
    """``text`` as a C string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_supported(text: str, filename: str) -> None:
    """Raise UnsupportedFeature for the first construct the emulator cannot run, ignoring
    comments and ``__CUDA_ARCH__``-only branches."""
    code = blank_gpu_only(mask_code(text))
    hits = [(m.start(), feature, hint) for regex, feature, hint in _UNSUPPORTED_RE
            for m in [regex.search(code)] if m]
    if not hits:
        return
    position, feature, hint = min(hits)
    file, line = source_location(text, position, filename)
    raise UnsupportedFeature(
        f"{file}:{line}: {feature} is not supported by the CUDA emulator ({hint})",
        feature=feature, file=file, line=line)


def pad_static_shared(text: str) -> str:
    """``text`` with a ``WBEMU_SHARED_PAD`` declaration before and after every statement
    declaring static ``__shared__`` variables (on the same lines). The compiler orders
    them in the TLS block as it likes; with pads on both sides, one ends up next to each end."""
    code = blank_directives(mask_code(text))
    pieces, last = [], 0
    for m in _SHARED.finditer(code):
        start = max(code.rfind(";", 0, m.start()), code.rfind("{", 0, m.start()),
                    code.rfind("}", 0, m.start())) + 1
        end = code.find(";", m.end())
        head = code[start:m.start()]
        if end < 0 or start < last or "extern" in code[start:end] or head.count("(") != head.count(")"):
            continue
        start += len(head) - len(head.lstrip())
        pieces += [text[last:start], "WBEMU_SHARED_PAD ", text[start:end + 1], " WBEMU_SHARED_PAD"]
        last = end + 1
    pieces.append(text[last:])
    return "".join(pieces)


def rewrite(text: str) -> str:
    """``text`` with barrier-holding calls guarded, dynamic shared arrays, static shared
    arrays and ``__noinline__`` rewritten, same line count."""
    text = insert_call_guards(text)
    code = mask_code(text)
    pieces, last = [], 0
    for m in _EXTERN_SHARED.finditer(code):
        if "__shared__" not in m.group("spec"):
            continue
        element = " ".join(_ATTRIBUTES.sub(" ", text[m.start("spec"):m.end("spec")]).split())
        name = m.group("name")
        statement = f"{element}* const {name} = reinterpret_cast<{element}*>(wbemu_dynamic_shared);"
        pieces += [text[last:m.start()], statement, "\n" * text.count("\n", m.start(), m.end())]
        last = m.end()
    pieces.append(text[last:])
    rewritten = pad_static_shared("".join(pieces))
    return re.sub(r"\b__noinline__\b", "__attribute__((noinline))", rewritten)


def kernel_table(entries: list[tuple[str, str]]) -> str:
    """C++ for the module's kernel table; ``entries`` are (exported name, C++ expression)."""
    lines = ['#line 1 "<warpbench emulator kernel table>"']
    if entries:
        lines.append("static const wbemu_kernel wbemu_kernel_entries[] = {")
        lines += [f"    wbemu::kernel_entry<&{expr}>({c_string(name)})," for name, expr in entries]
        lines.append("};")
        body = ("*count = sizeof wbemu_kernel_entries / sizeof wbemu_kernel_entries[0]; "
                "return wbemu_kernel_entries;")
    else:
        body = "*count = 0; return nullptr;"
    lines.append('extern "C" WBEMU_EXPORT const wbemu_kernel* wbemu_kernel_table(unsigned* count) {')
    lines += [f"    {body}", "}", ""]
    return "\n".join(lines)


def normalize_expression(expression: str) -> str:
    """A template name expression with insignificant spaces removed: ``"f< 32 >"`` -> ``"f<32>"``."""
    return re.sub(r"\s*([<>,:*&()])\s*", r"\1", expression.strip())


@dataclass(frozen=True)
class PreparedSource:
    """A main source ready for g++, and what was learnt about its kernels."""
    text: str
    kernels: tuple[KernelDecl, ...]
    exported: tuple[str, ...]


def prepare_main(text: str, filename: str, name_expressions: list[str]) -> PreparedSource:
    """Check, rewrite and complete a main source with its kernel table."""
    check_supported(text, filename)
    kernels = tuple(find_kernels(text))
    entries = [(k.name, k.qualified) for k in kernels if not k.is_template]
    for expression in name_expressions:
        normalized = normalize_expression(expression)
        if normalized not in (name for name, _ in entries):
            entries.append((normalized, normalized))
    body = f"#line 1 {c_string(filename)}\n{rewrite(text)}\n{kernel_table(entries)}"
    return PreparedSource(body, kernels, tuple(name for name, _ in entries))


def prepare_header(text: str, filename: str) -> str:
    """Check and rewrite an included local header, keeping its own name for diagnostics."""
    check_supported(text, filename)
    return f"#line 1 {c_string(filename)}\n{rewrite(text)}\n"
