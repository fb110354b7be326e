"""Process-wide settings read from the environment, tinygrad style.

``WARPBENCH_DEBUG``: 0 silent (default); 1 compile and cache events; 2 every launch with
its grid, block and time; 3 generated sources and compiler command lines.
"""
import os
import sys

DEBUG = int(os.environ.get("WARPBENCH_DEBUG", "0") or 0)


def debug(level: int, message: str) -> None:
    """Print ``message`` to stderr when the debug level is at least ``level``."""
    if DEBUG >= level:
        print(f"[warpbench] {message}", file=sys.stderr, flush=True)
