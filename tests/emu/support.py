"""Shared by the emulator tests: where the test kernels are, and source-line lookup."""
from pathlib import Path

KERNELS = Path(__file__).parent / "kernels"
SCHEDULES = [("forward", "forward"), ("reverse", "reverse"), ("random:7", "random:3")]


def line_of(path: Path, marker: str) -> int:
    """1-based number of the first line of ``path`` containing ``marker``."""
    return next(i for i, text in enumerate(path.read_text().splitlines(), 1) if marker in text)
