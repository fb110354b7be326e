"""Kernel Tuner's restrictions written as Python functions, for ``tune_kernel`` only.

Kernel Tuner accepts ``restrictions=lambda p: p["block_size_x"] > 32`` (one argument: the
configuration as a dict) or a function whose parameters are tunable names
(``lambda block_size_x, tile: block_size_x % tile == 0``). The registry's specs take
expressions only (:mod:`warpbench.kernels.restriction`), which can be shown and stored as
written; a function is the user's own code in the user's own process, so it is called as
is. Its text in messages and in the tuner's database key names the function and a digest
of its code, constants and closure values, so an edited function starts a new run.
"""
from __future__ import annotations

import inspect
from typing import Callable, Mapping

from warpbench.cache import digest
from warpbench.errors import ConfigError
from warpbench.kernels.restriction import Restriction


def function_digest(function: Callable) -> str:
    """12 hex digits over a function's code, constants, names and closure values."""
    code = getattr(function, "__code__", None)
    if code is None:
        return digest(repr(function))[:12]
    closure = tuple(repr(cell.cell_contents) for cell in function.__closure__ or ())
    return digest(code.co_code, repr(code.co_consts), code.co_names, closure)[:12]


class FunctionRestriction(Restriction):
    """A restriction that calls ``function`` with a configuration (see the module docstring)."""

    def __init__(self, function: Callable, tunables: tuple[str, ...]):
        try:
            parameters = list(inspect.signature(function).parameters)
        except (TypeError, ValueError):
            parameters = []
        by_name = bool(parameters) and set(parameters) <= set(tunables) and parameters != ["p"]
        name = getattr(function, "__name__", type(function).__name__)
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "by_name", by_name)
        object.__setattr__(self, "text", f"{name}({', '.join(parameters) or '...'}) [Python, {function_digest(function)}]")
        object.__setattr__(self, "note", "")
        object.__setattr__(self, "names", frozenset(parameters if by_name else tunables))
        object.__setattr__(self, "_code", None)

    def value(self, config: Mapping[str, int]):
        """What the function returns for ``config``; ConfigError naming it when it raises."""
        try:
            if self.by_name:
                return self.function(**{name: config[name] for name in self.names})
            return self.function(dict(config))
        except ArithmeticError:
            raise
        except Exception as exc:
            raise ConfigError(f"restriction {self.text} raised {type(exc).__name__}: {exc} "
                              f"for config {dict(config)}") from None
