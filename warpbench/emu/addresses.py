"""Which live device allocation or ``__device__`` variable holds an address.

The PyCUDA facade copies to and from plain addresses (``int(array) + offset``, the
address ``get_global`` returns); checking them here turns a copy to address 0, or past
the end of an allocation, into a one-line error instead of a crash. A fault inside an
allocation's guard region is located here too, so its report can name the array.
"""
from __future__ import annotations

import bisect
import weakref
from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """Address range [start, end) reserved for one owner; its usable bytes are
    [data_start, data_end) (the rest are redzones and guard regions)."""
    start: int
    end: int
    data_start: int
    data_end: int
    label: str
    owner: weakref.ref


_starts: list[int] = []
_regions: dict[int, Region] = {}


def _forget(start: int) -> None:
    if _regions.pop(start, None) is not None:
        del _starts[bisect.bisect_left(_starts, start)]


def track(owner, start: int, end: int, data_start: int, data_end: int, label: str) -> None:
    """Record that ``owner`` holds [start, end) until it is collected."""
    if start in _regions:
        return
    _regions[start] = Region(start, end, data_start, data_end, label, weakref.ref(owner))
    bisect.insort(_starts, start)
    weakref.finalize(owner, _forget, start)


def region_at(address: int) -> Region | None:
    """The live region whose reserved range contains ``address``, or None."""
    i = bisect.bisect_right(_starts, address) - 1
    if i < 0:
        return None
    region = _regions.get(_starts[i])
    return region if region is not None and address < region.end else None


def live_regions() -> list[Region]:
    """Every live region, by address."""
    return [_regions[start] for start in _starts if start in _regions]
