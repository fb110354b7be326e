"""NVTX ranges in the ``warpbench`` domain, named for Nsight Compute's ``--nvtx-include`` filters.

Nsight Compute reads ``warpbench@a/b/`` as the push/pop range ``b`` nested in ``a``; ``/``,
``@``, ``[`` and ``]`` are its syntax, so no range name here contains them (nor spaces or
braces). What is described is a path of nested ranges, one name per level:

- every kernel launch: ``<workload>/<variant>/<config>/<problem>`` (category ``launch``), e.g.
  ``transpose/transpose_padded/TILE_DIM=32,BLOCK_ROWS=8/cols=1024,dtype=float32,rows=1024``;
  a raw launch has ``grid=...,block=...`` in place of the problem;
- every benchmark measurement or run: ``bench/`` followed by its case's launch path
  (category ``benchmark``);
- every graph node: ``<Op class>/<op props>`` (category ``graph``, payload its toposort index),
  e.g. ``AXPBOp/a=4,b=5``.

So ``--nvtx-include "warpbench@transpose_padded/"`` selects every launch of that variant,
``"warpbench@bench/transpose/"`` only the timed ones. Without a profiler attached the nvtx
package gives a disabled domain and nothing is computed; ``NVTX_DISABLE=1`` removes the
ranges whatever is attached.
"""
from __future__ import annotations

import functools
import re
from typing import Mapping, Sequence

from warpbench.config import env_flag

DOMAIN = "warpbench"
DEFAULT_CONFIG = "default"
#: Characters Nsight Compute's filter syntax reserves, plus whitespace and the braces of op names.
_RESERVED = re.compile(r"[\s/@\[\]{}()\\'\"*+]+")


@functools.lru_cache(maxsize=None)
def _domain():
    """The enabled ``warpbench`` domain, or None (nvtx missing, NVTX_DISABLE set, no tool)."""
    if env_flag("NVTX_DISABLE"):
        return None
    try:
        import nvtx
    except ImportError:
        return None
    domain = nvtx.get_domain(DOMAIN)
    return domain if isinstance(domain, nvtx.Domain) else None


def enabled() -> bool:
    """Whether ranges are recorded (a tool is attached and NVTX_DISABLE is not set)."""
    return _domain() is not None


def range_token(value) -> str:
    """``value`` as text fit for one level of a range path: reserved characters and
    whitespace become ``_`` ("transpose[hostcode]" → "transpose_hostcode")."""
    return _RESERVED.sub("_", str(value)).strip("_") or "_"


def settings_label(settings: Mapping, *, sort: bool = False, empty: str = DEFAULT_CONFIG) -> str:
    """``settings`` as ``name=value,...`` (``empty`` when there are none), each value a range
    token; ``sort`` orders the names, for dicts whose order depends on how they were built."""
    items = sorted(settings.items()) if sort else settings.items()
    return ",".join(f"{name}={range_token(value)}" for name, value in items) or empty


def launch_range_names(kernel, problem: Mapping | None = None, grid=None, block=None) -> tuple[str, ...]:
    """Range path of one launch of ``kernel`` (a :class:`warpbench.runtime.kernel.Kernel`):
    workload, variant, config, then the problem (sorted names) or the launch geometry."""
    if problem is not None:
        case = settings_label(problem, sort=True, empty="empty")
    else:
        case = settings_label({"grid": _dims(grid), "block": _dims(block)})
    return (range_token(kernel.workload.name), range_token(kernel.name), settings_label(kernel.config), case)


def _dims(value) -> str:
    return "x".join(str(int(v)) for v in (value if isinstance(value, (tuple, list)) else (value,)))


def bench_range_names(case: Sequence[str]) -> tuple[str, ...]:
    """Range path of a benchmark measurement whose case has the path ``case``."""
    return ("bench", *case)


def node_range_names(node) -> tuple[str, ...]:
    """Range path of a graph node: its op's class name, then its op's props when it has any
    (``AXPBOp{a=4, b=5}`` → ``("AXPBOp", "a=4,b=5")``)."""
    op = node.op
    props = getattr(type(op), "__props__", None) or ()
    names = (range_token(type(op).__name__),)
    return names + ((settings_label({p: getattr(op, p) for p in props}),) if props else ())


def _nothing() -> None:
    """push/pop of a range when no range is recorded."""


class NvtxRange:
    """Nested ranges, one per name (outermost first), each with ``category`` and ``payload``;
    prepared once and entered any number of times: ``with r:`` or, where a ``with`` block costs
    too much (the graph's Cython loop), ``r.push()`` ... ``r.pop()``."""

    __slots__ = ("push", "pop")

    def __init__(self, names: Sequence[str], category: str | None = None, payload=None):
        domain = _domain()
        if domain is None:
            self.push = self.pop = _nothing
            return
        attributes = [domain.get_event_attributes(message=name, category=category, payload=payload)
                      for name in names]

        def push():
            for attribute in attributes:
                domain.push_range(attribute)

        def pop():
            for _ in attributes:
                domain.pop_range()
        self.push, self.pop = push, pop

    def __enter__(self):
        self.push()
        return self

    def __exit__(self, *exc) -> None:
        self.pop()


_DISABLED = object.__new__(NvtxRange)   # built without asking for the domain at import
_DISABLED.push = _DISABLED.pop = _nothing


def nvtx_ranges(names: Sequence[str], category: str | None = None, payload=None) -> NvtxRange:
    """One nested range per name (outermost first) for a ``with`` block; it may be kept and reused."""
    return NvtxRange(names, category, payload)


def launch_range(kernel, problem: Mapping | None = None, grid=None, block=None) -> NvtxRange:
    """The ranges around one launch of ``kernel`` (see :func:`launch_range_names`); the names
    are only computed when ranges are recorded."""
    if _domain() is None:
        return _DISABLED
    return NvtxRange(launch_range_names(kernel, problem, grid, block), "launch")


def bench_range(case: Sequence[str]) -> NvtxRange:
    """The ranges around a benchmark measurement or run of the case with range path ``case``."""
    if _domain() is None:
        return _DISABLED
    return NvtxRange(bench_range_names(case), "benchmark")


def node_range(node, index: int) -> NvtxRange:
    """The ranges around graph node ``node`` at toposort position ``index`` (the payload),
    prepared once at link time and pushed/popped by the graph's loop."""
    if _domain() is None:
        return _DISABLED
    return NvtxRange(node_range_names(node), "graph", index)
