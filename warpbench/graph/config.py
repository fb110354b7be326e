"""Settings of the graph executor, Theano's ``theano.config``: ``floatX``.

``floatX`` is the dtype of float variables made without one (``vector("x")``, ``scalar()``)
and of Python float constants: "float32" (default, what GPUs compute fast) or "float64"
(old Theano's default). It comes from ``WARPBENCH_FLOATX`` and may be changed at run time
(``warpbench.graph.config.floatX = "float64"``); graphs built before keep their dtypes.
"""
from __future__ import annotations

import os

from warpbench.config import env_choice
from warpbench.errors import ConfigError
from warpbench.graph.type import FLOAT_DTYPES


def _from_environment() -> str:
    # A bad value is reported when floatX is first used: raising here would break
    # ``import warpbench.graph``.
    try:
        return env_choice("WARPBENCH_FLOATX", "float32", FLOAT_DTYPES)
    except ConfigError:
        return os.environ["WARPBENCH_FLOATX"].strip()


floatX = _from_environment()


def float_x() -> str:
    """The current ``floatX``; ConfigError when it is not a float dtype."""
    if floatX not in FLOAT_DTYPES:
        raise ConfigError(f"floatX={floatX!r} (from WARPBENCH_FLOATX or warpbench.graph.config.floatX) "
                          f"is not one of {', '.join(FLOAT_DTYPES)}")
    return floatX
