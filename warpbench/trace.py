"""NVTX ranges in the ``warpbench`` domain, for Nsight Systems and Nsight Compute filters.

Every graph node, benchmark case and tuning config runs inside one. Without a profiler
attached the nvtx package turns these into near no-ops; ``NVTX_DISABLE=1`` removes them.
Range names are stable (kernel or node names), the varying parts go into the payload,
so Nsight Compute can filter with ``--nvtx-include "warpbench@<name>/"``.
"""
from __future__ import annotations

import functools

DOMAIN = "warpbench"


@functools.lru_cache(maxsize=None)
def _domain():
    try:
        import nvtx
    except ImportError:
        return None
    return nvtx.get_domain(DOMAIN)


def _nothing() -> None:
    """push/pop of a range when the nvtx package is missing."""


class NvtxRange:
    """A named range, prepared once and entered any number of times: ``with r:`` or, where a
    ``with`` block costs too much (the graph's inner loop), ``r.push()`` ... ``r.pop()``."""

    __slots__ = ("push", "pop")

    def __init__(self, name: str, category: str | None = None, payload=None):
        domain = _domain()
        if domain is None:
            self.push = self.pop = _nothing
            return
        attributes = domain.get_event_attributes(message=name, category=category, payload=payload)
        self.push = functools.partial(domain.push_range, attributes)
        self.pop = domain.pop_range

    def __enter__(self):
        self.push()
        return self

    def __exit__(self, *exc) -> None:
        self.pop()


def nvtx_range(name: str, category: str | None = None, payload=None) -> NvtxRange:
    """The NVTX range called ``name``, for ``with`` blocks; it may be kept and reused."""
    return NvtxRange(name, category, payload)
