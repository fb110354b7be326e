"""The ``warpbench`` command: info, check, bench, tune, profile, run, launch, train, networks and cache.

Every user error (unknown kernel, device or flag, a bad value, a bad WARPBENCH_* setting,
a bad array) is a WarpbenchError: it is printed as one line and the exit status is 2,
without a traceback. Flag values go through one typed layer, :mod:`warpbench.cli.args`.
Ctrl-C prints one line and exits with 130; a reader that goes away (``| head``) ends the
command quietly with 141, as a shell's SIGPIPE does.
"""
from __future__ import annotations

import os
import sys

import warpbench
from warpbench.cli.args import Parser, check_settings
from warpbench.errors import WarpbenchError


def build_parser() -> Parser:
    """The argument parser with one sub-command per module of this package."""
    from warpbench.cli import bench, cache, check, info, launch, networks, profile, run, train, tune
    parser = Parser(prog="warpbench", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"warpbench {warpbench.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (info, check, bench, tune, profile, run, launch, train, networks, cache):
        module.add_parser(sub)
    return parser


def _error(message: str) -> int:
    print(f"warpbench: error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as done:  # --help and --version
            return done.code or 0
        check_settings()
        return args.handler(args) or 0
    except WarpbenchError as exc:
        return _error(str(exc))
    except MemoryError as exc:
        return _error(f"out of memory: {exc}")
    except KeyboardInterrupt:
        print("warpbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Python's documented recipe: point stdout at /dev/null so that its flush at exit
        # does not raise a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
