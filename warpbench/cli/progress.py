"""Progress of the long commands (check, bench, run) on stderr, through rich.

A bar appears only when stderr is a terminal: piped, redirected or captured output (CI
logs, ``--json`` into a file, tests) gets no progress text at all. Nor does a run with
``WARPBENCH_DEBUG`` set, whose log lines on stderr a redrawn bar would break up. The bar is
transient, so what stays on the screen is the command's own output.
"""
from __future__ import annotations

import sys
from typing import Callable, Iterable, Iterator, TypeVar

Item = TypeVar("Item")


def progress_enabled() -> bool:
    """True when stderr is an interactive terminal and debug logging is off."""
    from warpbench.config import DEBUG
    isatty = getattr(sys.stderr, "isatty", None)
    return not DEBUG and bool(isatty and isatty())


def track(items: Iterable[Item], description: str, label: Callable[[Item], str] = str) -> Iterator[Item]:
    """Yield ``items``, showing ``description``, a bar, the count, the elapsed time and
    ``label(item)`` of the item being worked on; just the items when progress is off."""
    if not progress_enabled():
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    items = list(items)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[item]}", markup=False))  # kernel names hold brackets: copy[numpy]
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task(description, total=len(items), item="")
        for item in items:
            bar.update(task, item=label(item), refresh=True)
            yield item
            bar.advance(task)


def tracker(description: str, label: Callable[[Item], str] = str) -> Callable[[Iterable[Item]], Iterator[Item]]:
    """``track`` with its description and label fixed, for code that takes a ``track(items)``."""
    return lambda items: track(items, description, label)
