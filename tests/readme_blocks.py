"""The README's Python blocks as a reader runs them: in order, in one session, checking the
results its comments promise.

Conventions the README follows (and :func:`python_blocks` reads):

- every ```` ```python ```` block runs, in order, in one namespace (a block may use what an
  earlier one defined, as a reader pasting them into one session would);
- ``<!-- skip: REASON -->`` on the line before a block's fence skips it with REASON (for a
  block that needs a GPU, a network or a long run);
- a comment after an expression that reads as a Python literal is its value: ``pprint(y)   #
  'AXPBOp{a=4, b=5}.0'``, ``f(v)  # [5, 13, 21]``, ``g(x)  # [2, 3], from infer_shape`` (the
  longest literal prefix counts), ``f(x)  # all 9`` (every element);
- comment lines right after a statement that prints are its output transcript (``...`` ends
  the part that is checked);
- a comment line ``# A -> B{...} -> C`` after ``f = function(...)`` lists f's nodes in
  order (``{...}`` stands for any parameters).
"""
from __future__ import annotations

import ast
import contextlib
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^(?:<!--\s*skip:\s*(?P<skip>.*?)\s*-->[ \t]*\n)?```python[ \t]*\n(?P<code>.*?)^```",
                   re.S | re.M)
ALL = re.compile(r"^all (?P<value>-?[\d.]+)\b")


@dataclass(frozen=True)
class Block:
    """One ```` ```python ```` block: its position, code and skip reason (None: runs)."""

    index: int
    line: int
    code: str
    skip: str | None

    @property
    def first_line(self) -> str:
        """The block's first non-empty line, which names it in test ids and in KNOWN_GAPS."""
        return next(line for line in self.code.splitlines() if line.strip())


def python_blocks(text: str) -> list[Block]:
    """Every Python block of the Markdown ``text``, in order."""
    return [Block(i, text.count("\n", 0, m.start("code")) + 1, m.group("code"), m.group("skip"))
            for i, m in enumerate(FENCE.finditer(text))]


def _comments(code: str) -> dict[int, str]:
    """Line number -> the text of the comment on that line (without ``#``)."""
    found = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            found[tok.start[0]] = tok.string[1:].strip()
    return found


def _literal(comment: str):
    """(True, value) for the longest prefix of ``comment`` that is a Python literal."""
    cuts = [len(comment)] + [i for i in range(len(comment) - 1, 0, -1) if comment[i] == ","]
    for cut in cuts:
        try:
            return True, ast.literal_eval(comment[:cut].strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
    return False, None


def _same(got, expected) -> bool:
    if isinstance(expected, tuple) and isinstance(got, tuple):
        return len(got) == len(expected) and all(_same(g, e) for g, e in zip(got, expected))
    if isinstance(got, (np.ndarray, np.generic)) or isinstance(expected, list):
        if np.shape(got) != np.shape(expected):
            return False
        if np.asarray(expected).dtype.kind in "biuf":
            return bool(np.allclose(got, expected))
        return np.asarray(got).tolist() == np.asarray(expected).tolist()
    return got == expected


def check_claim(value, comment: str) -> str | None:
    """Why ``value`` breaks the promise of ``comment`` (None when kept, or when the comment
    promises nothing checkable)."""
    every = ALL.match(comment)
    if every:
        wanted = float(every.group("value"))
        return None if np.all(np.asarray(value) == wanted) else f"not all {wanted:g}: {value!r}"
    is_literal, expected = _literal(comment)
    if not is_literal or _same(value, expected):
        return None
    return f"got {value!r}, the comment says {expected!r}"


def _transcript(lines: list[str], after: int, comments: dict[int, str]) -> list[str]:
    """The comment-only lines right after line ``after`` (1-based), ``#`` removed, up to ``...``."""
    found = []
    for number in range(after + 1, len(lines) + 1):
        text = lines[number - 1]
        if not text.lstrip().startswith("#"):
            break
        body = text.lstrip()[2:] if text.lstrip().startswith("# ") else text.lstrip()[1:]
        if body.strip() == "...":
            break
        found.append(body.rstrip())
    return found


def _chain_matches(function, chain: str) -> str | None:
    names = [re.sub(r"<\w+>$", "", str(node.op)) for node in function.fgraph.toposort()]
    wanted = [part.strip() for part in chain.split("->")]
    patterns = [re.escape(w).replace(re.escape("{...}"), r"\{.*\}") for w in wanted]
    if len(names) == len(patterns) and all(re.fullmatch(p, n) for p, n in zip(patterns, names)):
        return None
    return f"nodes are {' -> '.join(names)}, the comment says {chain}"


def run_block(block: Block, namespace: dict) -> list[str]:
    """Run ``block`` statement by statement in ``namespace``; returns every broken promise
    (line, statement and why). Exceptions propagate, naming the README line in the traceback."""
    lines = block.code.splitlines()
    comments = _comments(block.code)
    broken = []
    for stmt in ast.parse(block.code).body:
        where = f"README.md:{block.line + stmt.lineno - 1}"
        claim = comments.get(stmt.end_lineno)
        transcript = _transcript(lines, stmt.end_lineno, comments)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            if isinstance(stmt, ast.Expr):
                value = eval(compile(ast.Expression(stmt.value), where, "eval"), namespace)
            else:
                exec(compile(ast.Module([stmt], []), where, "exec"), namespace)
                value = None
        source = ast.get_source_segment(block.code, stmt).splitlines()[0]
        if isinstance(stmt, ast.Expr) and claim:
            why = check_claim(value, claim)
            if why:
                broken.append(f"{where} {source}: {why}")
        output = printed.getvalue().splitlines()
        if transcript and output:
            shown = [line.rstrip() for line in output[:len(transcript)]]
            if shown != transcript:
                broken.append(f"{where} {source}: prints\n" + "\n".join(output) + "\nthe README shows\n"
                              + "\n".join(transcript))
        elif len(transcript) == 1 and "->" in transcript[0] and isinstance(stmt, ast.Assign):
            why = _chain_matches(namespace[stmt.targets[0].id], transcript[0])
            if why:
                broken.append(f"{where} {source}: {why}")
    return broken
