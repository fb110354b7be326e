"""Theoretical occupancy from a kernel's resource usage and the device limits.

Same arithmetic as NVIDIA's occupancy calculator: resident blocks per SM are limited by
warps, blocks, registers (allocated per warp in units of 256) and shared memory
(allocated in units of 128 bytes plus the per-block reservation).
"""
from __future__ import annotations

from dataclasses import dataclass

from warpbench.runtime.properties import DeviceProperties


@dataclass(frozen=True)
class Occupancy:
    """Resident blocks per SM, the achieved fraction of the SM's warps and what limits it."""

    blocks_per_sm: int
    occupancy: float
    limiter: str


def _round_up(x: int, unit: int) -> int:
    return -(-x // unit) * unit


def occupancy(props: DeviceProperties, threads_per_block: int, registers_per_thread: int,
              shared_per_block: int) -> Occupancy:
    """Occupancy of blocks of ``threads_per_block`` threads using the given registers and shared bytes."""
    if threads_per_block <= 0 or threads_per_block > props.max_threads_per_block:
        return Occupancy(0, 0.0, "threads per block")
    if registers_per_thread > props.max_registers_per_thread:
        return Occupancy(0, 0.0, "registers")
    warps = -(-threads_per_block // props.warp_size)
    limits = {
        "warps": props.max_warps_per_sm // warps,
        "blocks": props.max_blocks_per_sm,
    }
    if registers_per_thread > 0:
        regs_per_warp = _round_up(registers_per_thread * props.warp_size, props.register_alloc_unit)
        warps_by_regs = props.registers_per_sm // regs_per_warp
        warps_by_regs -= warps_by_regs % props.warp_alloc_granularity
        limits["registers"] = warps_by_regs // warps
    smem = shared_per_block + props.shared_reserved_per_block
    if shared_per_block > 0:
        if shared_per_block > props.shared_per_block_optin:
            return Occupancy(0, 0.0, "shared memory")
        limits["shared memory"] = props.shared_per_sm // _round_up(smem, props.shared_alloc_unit)
    limiter = min(limits, key=limits.get)
    blocks = limits[limiter]
    return Occupancy(blocks, blocks * warps / props.max_warps_per_sm, limiter)
