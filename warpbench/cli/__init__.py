"""The ``warpbench`` command: info, check, bench, run and launch.

Every user error (unknown kernel or device, bad config, bad array) is a WarpbenchError:
it is printed as one line and the exit status is 2, without a traceback.
"""
from __future__ import annotations

import argparse
import sys

from warpbench.errors import UnknownNameError, WarpbenchError


def parse_assignments(text: str | None, what: str) -> dict:
    """``"A=1,B=2"`` → ``{"A": 1, "B": 2}`` (numbers parsed, other values kept as text)."""
    if not text:
        return {}
    result = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UnknownNameError(f"bad {what} {item!r}: expected NAME=VALUE")
        value = value.strip()
        for cast in (int, float):
            try:
                value = cast(value)
                break
            except ValueError:
                continue
        result[key.strip()] = value
    return result


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per module of this package."""
    from warpbench.cli import bench, check, info, launch, run
    parser = argparse.ArgumentParser(prog="warpbench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (info, check, bench, run, launch):
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except WarpbenchError as exc:
        print(f"warpbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
