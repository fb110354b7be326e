"""Lexical scans of CUDA C sources: comments, GPU-only preprocessor branches and
``__global__`` kernel declarations (the compiler itself finds the included headers).

Every scan works on a *masked* copy of the text of the same length, with comments, literal
contents or whole lines blanked, so positions found in it are positions in the original.
This is a scanner, not a preprocessor: kernels must be spelled with ``__global__`` in the
file itself (not produced by a macro) to be exported automatically.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_COMMENT_OR_LITERAL = re.compile(
    r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S)
_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*(\w+)(.*)$")
_LINE_DIRECTIVE = re.compile(r'^[ \t]*#[ \t]*(?:line[ \t]+)?(\d+)(?:[ \t]+"([^"\n]*)")?[^\n]*\n', re.M)
_CALL = re.compile(r"[^(;{}]*?([A-Za-z_][\w:]*)\s*\(")
_ATTRIBUTE_WORDS = {"__launch_bounds__", "__attribute__", "__align__", "alignas", "__maxnreg__",
                    "__cluster_dims__"}
_QUALIFIERS = {"const", "volatile", "__restrict__", "__restrict", "restrict", "struct",
               "unsigned", "signed", "__grid_constant__", "class", "enum"}


def _blank(text: str) -> str:
    """Spaces for every character of ``text`` except newlines."""
    return re.sub(r"[^\n]", " ", text)


def mask_comments(text: str) -> str:
    """``text`` with comments blanked (string and character literals left intact)."""
    def _blank_comment(m: re.Match) -> str:
        return _blank(m.group()) if m.group().startswith("/") else m.group()
    return _COMMENT_OR_LITERAL.sub(_blank_comment, text)


def mask_code(text: str) -> str:
    """``text`` with comments and the contents of string and character literals blanked."""
    def _blank_inside(m: re.Match) -> str:
        s = m.group()
        if s.startswith("/"):
            return _blank(s)
        return s[0] + _blank(s[1:-1]) + s[-1]
    return _COMMENT_OR_LITERAL.sub(_blank_inside, text)


def _classify(directive: str, condition: str) -> tuple[bool, bool]:
    """(this branch is GPU-only, the #else after it is GPU-only) for ``#directive condition``."""
    condition = condition.strip()
    if directive == "ifdef":
        return condition == "__CUDA_ARCH__", False
    if directive == "ifndef":
        return False, condition == "__CUDA_ARCH__"
    if "__CUDA_ARCH__" not in condition:
        return False, False
    negated = re.search(r"!\s*defined\s*\(?\s*__CUDA_ARCH__", condition) is not None
    return not negated, negated


def blank_gpu_only(text: str) -> str:
    """``text`` (already comment-masked) with lines inside ``__CUDA_ARCH__``-only branches
    blanked: the emulator never defines ``__CUDA_ARCH__``, so they are never compiled."""
    stack: list[list[bool]] = []     # per open #if: [this branch GPU-only, #else GPU-only]
    out = []
    for line in text.split("\n"):
        m = _DIRECTIVE.match(line)
        directive = m.group(1) if m else ""
        if directive in ("if", "ifdef", "ifndef"):
            stack.append(list(_classify(directive, m.group(2))))
        elif directive == "elif" and stack:
            stack[-1] = list(_classify("elif", m.group(2)))
        elif directive == "else" and stack:
            stack[-1][0] = stack[-1][1]
        elif directive == "endif" and stack:
            stack.pop()
        out.append(_blank(line) if any(frame[0] for frame in stack) else line)
    return "\n".join(out)


def blank_directives(text: str) -> str:
    """``text`` with preprocessor directive lines (and their continuations) blanked."""
    out, continued = [], False
    for line in text.split("\n"):
        is_directive = continued or line.lstrip().startswith("#")
        continued = is_directive and line.rstrip().endswith("\\")
        out.append(_blank(line) if is_directive else line)
    return "\n".join(out)


def line_of(text: str, position: int) -> int:
    """1-based line number of ``position`` in ``text``."""
    return text.count("\n", 0, position) + 1


def source_location(text: str, position: int, filename: str) -> tuple[str, int]:
    """File and line of ``position`` in ``text`` as the compiler reports them: ``#line``
    directives (such as the one under the facade's ``extern "C" {`` wrapper) renumber."""
    line, file = line_of(text, position), filename
    directives = list(_LINE_DIRECTIVE.finditer(mask_comments(text), 0, position))
    if directives:
        last = directives[-1]
        line = int(last.group(1)) + text.count("\n", last.end(), position)
        file = last.group(2) if last.group(2) is not None else file
    return file, line


@dataclass(frozen=True)
class KernelDecl:
    """A ``__global__`` function found in a source."""
    name: str              # unqualified
    qualified: str         # with enclosing namespaces, usable from global scope
    param_names: tuple[str, ...]
    is_template: bool
    launch_bounds: int | None
    line: int


def _matching(code: str, start: int, open_ch: str, close_ch: str) -> int:
    """Index of the bracket closing the one at ``start``."""
    depth = 0
    for i in range(start, len(code)):
        if code[i] == open_ch:
            depth += 1
        elif code[i] == close_ch:
            depth -= 1
            if depth == 0:
                return i
    return len(code) - 1


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside (), <>, [] and {}."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "(<[{":
            depth += 1
        elif ch in ")>]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _param_name(param: str, index: int) -> str:
    """The declared name of one parameter, or ``arg<index>`` when it has none."""
    param = param.split("=")[0]
    param = re.sub(r"\[[^\]]*\]", "", param)
    words = [w for w in re.findall(r"[A-Za-z_]\w*", param) if w not in _QUALIFIERS]
    return words[-1] if len(words) >= 2 else f"arg{index}"


def _namespace_at(code: str, blocks: list[tuple[int, int, str | None]], position: int) -> list[str] | None:
    """Namespaces enclosing ``position``; None when inside a function or class body."""
    names = []
    for start, end, namespace in blocks:
        if start < position < end:
            if namespace is None:
                return None
            if namespace:
                names.append(namespace)
    return names


def _blocks(code: str) -> list[tuple[int, int, str | None]]:
    """Every brace pair as (open, close, namespace name, "" for transparent, None for other)."""
    result, stack = [], []
    for i, ch in enumerate(code):
        if ch == "{":
            head = code[max(code.rfind(";", 0, i), code.rfind("{", 0, i), code.rfind("}", 0, i)) + 1:i]
            ns = re.search(r"\bnamespace\s+([\w:]*)\s*$", head)
            if ns:
                stack.append((i, ns.group(1)))
            elif re.search(r"\bextern\s*\"\s*\"\s*$", head) or re.search(r"\bnamespace\s*$", head):
                stack.append((i, ""))
            else:
                stack.append((i, None))
        elif ch == "}" and stack:
            start, name = stack.pop()
            result.append((start, i, name))
    return sorted(result)


def find_kernels(text: str) -> list[KernelDecl]:
    """The ``__global__`` functions of ``text`` (outside comments and GPU-only branches)."""
    code = blank_directives(blank_gpu_only(mask_code(text)))
    blocks = _blocks(code)
    kernels: dict[str, KernelDecl] = {}
    for m in re.finditer(r"\b__global__\b", code):
        head_start = max(code.rfind(";", 0, m.start()), code.rfind("{", 0, m.start()),
                         code.rfind("}", 0, m.start())) + 1
        prefix = code[head_start:m.start()]
        pos, name_match = m.end(), None
        while True:
            candidate = _CALL.match(code, pos)
            if candidate and candidate.group(1) in _ATTRIBUTE_WORDS:
                pos = _matching(code, candidate.end() - 1, "(", ")") + 1
                continue
            name_match = candidate
            break
        if not name_match:
            continue
        open_paren = name_match.end() - 1
        close_paren = _matching(code, open_paren, "(", ")")
        namespaces = _namespace_at(code, blocks, m.start())
        if namespaces is None:
            continue
        qualified = name_match.group(1)
        name = qualified.split("::")[-1]
        if "::" not in qualified and namespaces:
            qualified = "::".join(namespaces + [name])
        params = _split_top_level(code[open_paren + 1:close_paren])
        if params == ["void"]:
            params = []
        bounds = re.search(r"__launch_bounds__\s*\(\s*(\d+)", code[head_start:open_paren])
        decl = KernelDecl(name, qualified, tuple(_param_name(p, i) for i, p in enumerate(params)),
                          re.search(r"\btemplate\s*<", prefix) is not None,
                          int(bounds.group(1)) if bounds else None, line_of(code, m.start()))
        if name not in kernels or code[close_paren + 1:].lstrip().startswith("{"):
            kernels[name] = decl
    return list(kernels.values())
