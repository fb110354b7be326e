"""The nvcc resource table: registers, shared memory, spills and occupancy of every CUDA variant.

ptxas reports these when compiling a cubin, so the table needs nvcc but no GPU: on a
machine without one it is the only place the CUDA kernels show up with exact numbers.
Occupancy is computed at the variant's first bench problem (its block size and dynamic
shared memory) against the architecture's limits.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from warpbench.errors import WarpbenchError

ARCH = "sm_90"
HEADERS = ["kernel", "regs", "static smem B", "dyn smem B", "spill B", "threads", "occupancy", "limited by",
           "status"]


@dataclass(frozen=True)
class ResourceRow:
    """One variant compiled for :data:`ARCH`, or why it has no resources of its own."""

    kernel: str
    registers: int | None = None
    shared_static: int | None = None
    shared_dynamic: int | None = None
    spills: int | None = None
    threads: int | None = None
    occupancy: float | None = None
    limiter: str = ""
    status: str = "ok"

    def cells(self) -> list:
        """The row as table cells in :data:`HEADERS` order (blank where not known)."""
        shown = [self.registers, self.shared_static, self.shared_dynamic, self.spills, self.threads]
        occupancy = "" if self.occupancy is None else f"{self.occupancy:.2f}"
        return [self.kernel, *("" if v is None else v for v in shown), occupancy, self.limiter, self.status]


def nvcc_missing() -> str:
    """Why nvcc cannot build the table here ("" when it can)."""
    from warpbench.kernels.compile import nvcc_path
    try:
        nvcc_path()
    except WarpbenchError as exc:
        return str(exc)
    return ""


def resource_row(spec, arch: str = ARCH) -> ResourceRow:
    """``spec`` at its default configuration compiled for ``arch``; pipelines and compile
    errors are rows that say so."""
    from warpbench.kernels.spec import PipelineSpec
    from warpbench.kernels.usage import static_usage
    if isinstance(spec, PipelineSpec):
        return ResourceRow(spec.name, status=f"pipeline of {', '.join(spec.stages)}")
    try:
        use = static_usage(spec, arch=arch)
    except WarpbenchError as exc:
        return ResourceRow(spec.name, status=f"ERROR: {exc}")
    return ResourceRow(spec.name, use.registers, use.static_shared, use.dynamic_shared, use.spill_bytes,
                       use.threads_per_block, use.occupancy.occupancy, use.occupancy.limiter, use.status)


def resource_rows(specs, arch: str = ARCH) -> list[ResourceRow]:
    """One row per variant in ``specs`` (see :func:`resource_row`), in order; nvcc runs on every
    core, as a cold cache means a compile per variant (the cache's writes are atomic)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(lambda spec: resource_row(spec, arch), specs))
