"""Shared by the emulator tests: where the test kernels are, source-line lookup, and
running a script in a fresh interpreter."""
import os
import subprocess
import sys
from pathlib import Path

KERNELS = Path(__file__).parent / "kernels"
SCHEDULES = [("forward", "forward"), ("reverse", "reverse"), ("random:7", "random:3")]


def line_of(path: Path, marker: str) -> int:
    """1-based number of the first line of ``path`` containing ``marker``."""
    return next(i for i, text in enumerate(path.read_text().splitlines(), 1) if marker in text)


def run_isolated(script: str, env: dict | None = None, timeout: float = 120) -> list[str]:
    """Run ``script`` in a fresh Python and return its output lines, after checking that it
    exited cleanly: a regression that kills or hangs the process fails one test, not the session."""
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), **(env or {}))
    done = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"exit status {done.returncode}:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout.splitlines()
