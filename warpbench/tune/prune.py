"""Static pruning: every configuration compiled by nvcc, in parallel, and ruled out before it runs.

nvcc is CPU-bound and runs as a subprocess, so a thread per core keeps every core busy
(the threads only wait). A configuration is pruned, with the reason, when its launch for
the tuned problem breaks the target's limits (threads, block and grid extents, shared
memory), when ptxas reports more registers than a thread may hold or any spill to local
memory, or when its theoretical occupancy on the target falls below a floor. Kernel Tuner
learns the same only by failing to compile or launch each configuration on the GPU.
Without nvcc only the launch limits and the emulator's static shared memory are known;
the run says so.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

from warpbench.errors import ToolMissing, WarpbenchError
from warpbench.kernels.compile import Resources, nvcc_path
from warpbench.kernels.occupancy import occupancy
from warpbench.kernels.source import nvcc_module
from warpbench.kernels.spec import KernelSpec, Problem
from warpbench.runtime.launch import validate_launch
from warpbench.runtime.properties import DeviceProperties

#: Theoretical occupancy below which a configuration is not worth running: one warp in
#: sixteen of an SM's slots leaves nearly every memory latency exposed.
OCCUPANCY_FLOOR = 1 / 16


@dataclass(frozen=True)
class Static:
    """nvcc's verdict on one configuration: its resources, or why it did not compile."""

    resources: Resources | None
    error: str = ""


def nvcc_missing_reason() -> str | None:
    """Why nvcc pruning is skipped here, or None when nvcc can run."""
    try:
        nvcc_path()
    except ToolMissing as exc:
        return f"nvcc pruning skipped: {exc}"
    return None


def _compile(spec: KernelSpec, config: dict, arch: str) -> Static:
    try:
        module = nvcc_module(spec, spec.defines(config), arch)
    except WarpbenchError as exc:
        return Static(None, str(exc))
    # A kernel without extern "C" appears under its C++ mangled name (_Z10vector_addPfS_S_i).
    mangled = [r for name, r in module.resources.items() if name.startswith(f"_Z{len(spec.entry)}{spec.entry}")]
    found = module.resources.get(spec.entry) or (mangled[0] if len(mangled) == 1 else None)
    if found is None:
        return Static(None, f"{spec.name}: ptxas reported no entry {spec.entry}")
    return Static(found)


def compile_all(spec: KernelSpec, configs: list[dict], arch: str, workers: int | None = None) -> list[Static]:
    """nvcc's verdict on each of ``configs`` for ``arch``, compiled on ``workers`` threads
    (default: one per CPU core) through the compile cache."""
    workers = workers or os.cpu_count() or 1
    if len(configs) <= 1 or workers == 1:
        return [_compile(spec, c, arch) for c in configs]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="warpbench-nvcc") as pool:
        return list(pool.map(lambda c: _compile(spec, c, arch), configs))


def resource_fields(spec: KernelSpec, config: dict, problem: Problem, props: DeviceProperties,
                    resources: Resources | None, static_shared: int = 0) -> dict:
    """The resources stored for a configuration: ptxas's (when known), the launch's threads and
    dynamic shared memory, and the theoretical occupancy with what limits it."""
    lau = spec.geometry(problem, config, props)
    registers = resources.registers if resources else 0
    shared = (resources.shared_static if resources else static_shared) + lau.shared
    occ = occupancy(props, lau.threads_per_block, registers, shared)
    fields = asdict(resources) if resources else {"shared_static": static_shared}
    return {**fields, "threads": lau.threads_per_block, "dynamic_shared": lau.shared,
            "blocks": lau.grid[0] * lau.grid[1] * lau.grid[2], "occupancy": occ.occupancy,
            "blocks_per_sm": occ.blocks_per_sm, "limiter": occ.limiter}


def prune_reason(spec: KernelSpec, config: dict, problem: Problem, props: DeviceProperties,
                 resources: Resources | None, floor: float = OCCUPANCY_FLOOR) -> str | None:
    """Why ``config`` is not worth running on a device with ``props`` (None when it is)."""
    lau = spec.geometry(problem, config, props)
    static = resources.shared_static if resources else 0
    try:
        validate_launch(spec.name, lau.grid, lau.block, lau.shared, props, static_shared=static)
    except WarpbenchError as exc:
        return f"launch limit: {exc}"
    if resources is None:
        return None
    if resources.registers > props.max_registers_per_thread:
        return (f"ptxas: {resources.registers} registers per thread, {props.arch} allows "
                f"{props.max_registers_per_thread}")
    if resources.spills:
        return (f"ptxas: spills {resources.spills} bytes to local memory ({resources.spill_stores} B stores, "
                f"{resources.spill_loads} B loads)")
    occ = occupancy(props, lau.threads_per_block, resources.registers, static + lau.shared)
    if occ.blocks_per_sm == 0:
        return f"occupancy: no block fits an SM of {props.arch} (limited by {occ.limiter})"
    if occ.occupancy < floor:
        return (f"occupancy: theoretical {occ.occupancy:.3f} on {props.arch} is below the floor {floor:.3f} "
                f"(limited by {occ.limiter}: {resources.registers} registers, {static + lau.shared} B shared, "
                f"{lau.threads_per_block} threads)")
    return None
