"""Process-wide settings read from the environment, tinygrad style, each parsed in one place.

``WARPBENCH_DEBUG``: 0 silent (default); 1 compile and cache events; 2 every launch with
its grid, block and time; 3 generated sources and compiler command lines.

A setting with a bad value is a :class:`warpbench.errors.ConfigError` naming the variable,
the value and what it accepts; ``DEBUG`` alone falls back to 0 with a warning, because it
is read at import time, where an exception would break ``import warpbench``.
"""
from __future__ import annotations

import logging
import os
import warnings

from warpbench.errors import ConfigError

log = logging.getLogger("warpbench")


def env_number(name: str, default: float, *, minimum: float = 0.0, integer: bool = False) -> float:
    """The number in ``$name`` (``default`` when unset or empty); ConfigError when it is not
    a number, not an integer where one is needed, or below ``minimum``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    kind = "an integer" if integer else "a number"
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not {kind} (expected {kind} >= {minimum:g})") from None
    if value != value or value < minimum:
        raise ConfigError(f"{name}={raw!r} is out of range (expected {kind} >= {minimum:g})")
    return value


def env_flag(name: str) -> bool:
    """True when ``$name`` is set to a true value (1, yes, true, on); ConfigError for anything
    other than those and 0, no, false, off or empty."""
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "no", "false", "off"):
        return False
    if raw in ("1", "yes", "true", "on"):
        return True
    raise ConfigError(f"{name}={os.environ[name]!r} is not a switch (expected 1/0, yes/no, true/false, on/off)")


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """The word in ``$name`` (``default`` when unset or empty); ConfigError when it is not one
    of ``choices``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigError(f"{name}={raw!r} is not one of {', '.join(choices)}")
    return raw


def _debug_level() -> int:
    try:
        return int(env_number("WARPBENCH_DEBUG", 0, integer=True))
    except ConfigError as exc:
        try:
            return 1 if env_flag("WARPBENCH_DEBUG") else 0
        except ConfigError:
            warnings.warn(f"{exc}; debug output stays off", stacklevel=2)
            return 0


DEBUG = _debug_level()
if DEBUG and not log.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("[warpbench] %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False


def debug(level: int, message: str) -> None:
    """Log ``message`` (to stderr, through the ``warpbench`` logger) when the debug level is at
    least ``level``."""
    if DEBUG >= level:
        log.debug(message)
