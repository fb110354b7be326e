"""Call-path identity for barriers: one ``__syncthreads`` in a helper, reached through two
different calls, is two different barriers.

Barriers are told apart by source position (the compiler may duplicate or unroll one
source-level barrier into several addresses). A helper holding a barrier, called from both
branches of a thread-dependent ``if``, would then look like one barrier; on a GPU that is
undefined behaviour. So every call of a function of the source that holds a barrier (itself
or through the functions it calls) is wrapped as ``(wbemu::CallSiteGuard(), f(args))``:
the guard mixes the call's line and column into the thread's call path for the duration
of the call, and the runtime compares call paths along with barrier positions.

Lexical, per file: calls through a member access, a qualified name, or after ``*``/``&``
(ambiguous with a declaration) are left unwrapped and keep position-only identity.
"""
from __future__ import annotations

import re

from warpbench.emu.source_scan import _matching, blank_directives, mask_code

_BARRIER = re.compile(r"\b__syncthreads(?:_count|_and|_or)?\s*\(|\bsync\s*\(")
_NAME_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*(<[^<>;{}()]*>\s*)?\(")
_KEYWORDS = {"if", "for", "while", "switch", "catch", "return", "sizeof", "alignof", "decltype",
             "__launch_bounds__", "__attribute__", "__align__", "alignas", "static_assert", "defined",
             "noexcept", "throw", "typeid", "static_cast", "reinterpret_cast", "const_cast", "dynamic_cast"}
_AFTER_PARAMS = re.compile(r"\s*(?:(?:const|volatile|noexcept|override|final|__restrict__)\b\s*)*")
_EXPRESSION_BEFORE = set("(,=;{}?:!~+-/%<|^[)")
_EXPRESSION_WORDS = ("return", "else", "do", "case")
GUARD = "(wbemu::CallSiteGuard(), "


def _definitions(code: str) -> dict[str, list[tuple[int, int, int]]]:
    """Function name -> (name position, body start, body end) of every definition."""
    found: dict[str, list[tuple[int, int, int]]] = {}
    for m in _NAME_CALL.finditer(code):
        name = m.group(1)
        if name in _KEYWORDS:
            continue
        close = _matching(code, m.end() - 1, "(", ")")
        after = _AFTER_PARAMS.match(code, close + 1).end()
        if after < len(code) and code[after] == "{":
            found.setdefault(name, []).append((m.start(1), after, _matching(code, after, "{", "}")))
    return found


def barrier_functions(code: str) -> set[str]:
    """Names of the functions defined in ``code`` that reach a barrier, directly or through
    other such functions."""
    definitions = _definitions(code)
    bodies = {name: [code[start:end] for _, start, end in spans] for name, spans in definitions.items()}
    holding = {name for name, texts in bodies.items() if any(_BARRIER.search(t) for t in texts)}
    while True:
        calls = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(holding))) + r")\s*[<(]") if holding else None
        more = {name for name, texts in bodies.items()
                if name not in holding and calls and any(calls.search(t) for t in texts)}
        if not more:
            return holding
        holding |= more


def _in_expression(code: str, position: int) -> bool:
    """The name at ``position`` stands where an expression does (so it is a call, not a declaration)."""
    before = code[:position].rstrip()
    if not before:
        return False
    if before.endswith(("&&", "||")):
        return True
    if before.endswith("::") or before.endswith(".") or before.endswith("->"):
        return False
    if before[-1] in _EXPRESSION_BEFORE:
        return True
    return re.search(r"\b(?:" + "|".join(_EXPRESSION_WORDS) + r")$", before) is not None


def insert_call_guards(text: str) -> str:
    """``text`` with every call of a barrier-holding function wrapped in a CallSiteGuard
    (same lines; columns after a wrapped call shift on its line)."""
    code = blank_directives(mask_code(text))
    names = barrier_functions(code)
    if not names:
        return text
    definitions = {pos for spans in _definitions(code).values() for pos, _, _ in spans}
    inserts: list[tuple[int, int, str]] = []
    for m in _NAME_CALL.finditer(code):
        if m.group(1) not in names or m.start(1) in definitions or not _in_expression(code, m.start(1)):
            continue
        close = _matching(code, m.end() - 1, "(", ")")
        inserts += [(m.start(1), 1, GUARD), (close + 1, 0, ")")]
    pieces, last = [], 0
    for position, _, insert in sorted(inserts):
        pieces += [text[last:position], insert]
        last = position
    pieces.append(text[last:])
    return "".join(pieces)
