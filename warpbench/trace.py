"""NVTX ranges in the ``warpbench`` domain, for Nsight Systems and Nsight Compute filters.

Every graph node, benchmark case and tuning config runs inside one. Without a profiler
attached the nvtx package turns these into near no-ops; ``NVTX_DISABLE=1`` removes them.
Range names are stable (kernel or node names), the varying parts go into the payload,
so Nsight Compute can filter with ``--nvtx-include "warpbench@<name>/"``.
"""
from __future__ import annotations

import contextlib
import functools

DOMAIN = "warpbench"


@functools.lru_cache(maxsize=None)
def _domain():
    try:
        import nvtx
    except ImportError:
        return None
    return nvtx.get_domain(DOMAIN)


@contextlib.contextmanager
def nvtx_range(name: str, category: str | None = None, payload=None):
    """Push an NVTX range called ``name`` for the duration of the ``with`` block."""
    domain = _domain()
    if domain is None:
        yield
        return
    attributes = domain.get_event_attributes(message=name, category=category, payload=payload)
    domain.push_range(attributes)
    try:
        yield
    finally:
        domain.pop_range()
