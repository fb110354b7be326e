"""Restrictions on tunables: one expression each, written and shown as in Kernel Tuner.

``Restriction("TILE_DIM * BLOCK_ROWS <= 1024")`` is parsed once, when the spec is defined,
and only a small arithmetic language is accepted: names (the spec's tunables), int and float
literals, ``+ - * / // %``, ``**`` with a literal exponent, comparisons (chained ones too),
``and or not``, parentheses and ``min max abs``. Anything else (other calls, attributes,
indexing, strings...) is a ConfigError quoting the expression. Values that are not tunables,
such as a padding or the 48 KiB static shared-memory limit, are written into the text as
numbers when the spec is built, so the rule shown in a message is the rule checked.

The checked tree is compiled once and evaluated with no builtins: checking a configuration
runs that arithmetic and nothing else, fast enough for ``space()`` over tens of thousands of
configurations. Python semantics apply: ``/`` is true division, ``//`` and ``%`` floor.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Mapping

from warpbench.errors import ConfigError

FUNCTIONS = {"min": min, "max": max, "abs": abs}
# A literal exponent keeps a configuration value from making ``**`` compute a huge integer.
MAX_EXPONENT = 64
ALLOWED = "tunable names, numbers, + - * / // % **, comparisons, and/or/not, parentheses, min/max/abs"

_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
_COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_UNARY = (ast.Not, ast.USub, ast.UAdd)
_GLOBALS = {"__builtins__": {}, **FUNCTIONS}


def _refuse(text: str, node: ast.AST, why: str) -> ConfigError:
    return ConfigError(f"restriction '{text}': {why} '{ast.unparse(node)}' (allowed: {ALLOWED})")


def _names(node: ast.AST, text: str) -> set[str]:
    """The names ``node`` reads; ConfigError quoting ``text`` at the first construct outside the language."""
    if isinstance(node, ast.Expression):
        return _names(node.body, text)
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise _refuse(text, node, "only numbers may be written, not")
        return set()
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise _refuse(text, node, "functions may only be called, not used as values:")
        return {node.id}
    if isinstance(node, ast.BoolOp):
        return set().union(*(_names(v, text) for v in node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, _UNARY):
        return _names(node.operand, text)
    if isinstance(node, ast.BinOp) and isinstance(node.op, _OPERATORS):
        if isinstance(node.op, ast.Pow):
            exponent = node.right
            if not (isinstance(exponent, ast.Constant) and type(exponent.value) is int
                    and 0 <= exponent.value <= MAX_EXPONENT):
                raise _refuse(text, node, f"the exponent of ** must be an integer literal 0..{MAX_EXPONENT} in")
        return _names(node.left, text) | _names(node.right, text)
    if isinstance(node, ast.Compare) and all(isinstance(op, _COMPARISONS) for op in node.ops):
        return set().union(*(_names(v, text) for v in (node.left, *node.comparators)))
    if isinstance(node, ast.Call):
        return _call_names(node, text)
    raise _refuse(text, node, "not allowed:")


def _call_names(node: ast.Call, text: str) -> set[str]:
    if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
        raise _refuse(text, node, "only min, max and abs may be called, not")
    arity_ok = len(node.args) == 1 if node.func.id == "abs" else len(node.args) >= 2
    if node.keywords or not arity_ok or any(isinstance(a, ast.Starred) for a in node.args):
        raise _refuse(text, node, "abs takes one argument, min and max two or more:")
    return set().union(*(_names(a, text) for a in node.args))


@dataclass(frozen=True)
class Restriction:
    """A rule over a configuration: one expression over the tunables, e.g. ``"BM % TM == 0"``.

    ``text`` is the rule, checked and shown exactly as written; ``note`` an optional reason
    shown after it in messages ("threads per block"). ``names`` are the tunables it reads.
    """

    text: str
    note: str = ""
    names: frozenset[str] = field(init=False, repr=False, compare=False)
    _code: object = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.text, str) or not self.text.strip():
            raise ConfigError(f"restriction {self.text!r}: expected a non-empty expression such as "
                              f"'TILE_DIM * BLOCK_ROWS <= 1024'")
        try:
            tree = ast.parse(self.text.strip(), mode="eval")
        except SyntaxError as exc:
            raise ConfigError(f"restriction '{self.text}': not an expression ({exc.msg})") from None
        object.__setattr__(self, "names", frozenset(_names(tree, self.text)))
        object.__setattr__(self, "_code", compile(tree, f"<restriction {self.text}>", "eval"))

    def holds(self, config: Mapping[str, int]) -> bool:
        """True when ``config`` (a value for every name) satisfies the rule.

        Arithmetic errors (a zero divisor from a configured value) propagate as ArithmeticError
        for the caller to name the kernel and the values.
        """
        return bool(self.value(config))

    def value(self, config: Mapping[str, int]):
        """The expression's value for ``config`` (a number for arithmetic such as a grid divisor)."""
        return eval(self._code, _GLOBALS, config)  # noqa: S307 (the tree was checked above)

    def __str__(self) -> str:
        return f"'{self.text}'" + (f" ({self.note})" if self.note else "")
