"""Launch configurations checked against sm_90 limits, and schedule (order) names."""
from __future__ import annotations

import numpy as np

from warpbench.errors import ConfigError
from warpbench.emu import abi

MAX_THREADS_PER_BLOCK = 1024
MAX_BLOCK_DIM = (1024, 1024, 64)
MAX_GRID_DIM = (2**31 - 1, 65535, 65535)
MAX_STATIC_SHARED = 48 * 1024
MAX_SHARED = abi.MAX_DYNAMIC_SHARED


def dims(value, what: str, kernel: str) -> tuple[int, int, int]:
    """``value`` (an int or a tuple of 1 to 3 ints) as (x, y, z)."""
    values = (value,) if isinstance(value, (int, np.integer)) else tuple(value)
    if not 1 <= len(values) <= 3 or not all(isinstance(v, (int, np.integer)) for v in values):
        raise ConfigError(f"kernel '{kernel}': {what} must be 1 to 3 integers, got {value!r}")
    values = tuple(int(v) for v in values) + (1,) * (3 - len(values))
    if min(values) < 1:
        raise ConfigError(f"kernel '{kernel}': {what} {values} has an extent below 1")
    return values


def validate(kernel: str, grid, block, shared: int, static_shared: int,
             launch_bounds: int | None) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Check a launch against the limits of an H100 (sm_90); returns (grid, block) as triples."""
    grid, block = dims(grid, "grid", kernel), dims(block, "block", kernel)
    threads = block[0] * block[1] * block[2]
    limit = min(MAX_THREADS_PER_BLOCK, launch_bounds or MAX_THREADS_PER_BLOCK)
    if threads > limit:
        source = "its __launch_bounds__" if launch_bounds and launch_bounds < MAX_THREADS_PER_BLOCK else "sm_90"
        raise ConfigError(f"kernel '{kernel}': block {block} has {threads} threads; {source} allows "
                          f"at most {limit} per block")
    for axis, (n, most) in enumerate(zip(block, MAX_BLOCK_DIM)):
        if n > most:
            raise ConfigError(f"kernel '{kernel}': block {block} exceeds sm_90's {most} threads along {'xyz'[axis]}")
    for axis, (n, most) in enumerate(zip(grid, MAX_GRID_DIM)):
        if n > most:
            raise ConfigError(f"kernel '{kernel}': grid {grid} exceeds sm_90's {most} blocks along {'xyz'[axis]}")
    if not isinstance(shared, (int, np.integer)) or shared < 0:
        raise ConfigError(f"kernel '{kernel}': dynamic shared memory must be a byte count >= 0, got {shared!r}")
    if static_shared > MAX_STATIC_SHARED:
        raise ConfigError(f"kernel '{kernel}': {static_shared} bytes of static shared memory; sm_90 allows "
                          f"{MAX_STATIC_SHARED} (use dynamic shared memory beyond that)")
    if shared + static_shared > MAX_SHARED:
        raise ConfigError(f"kernel '{kernel}': {shared} bytes of dynamic + {static_shared} of static shared "
                          f"memory; sm_90 allows {MAX_SHARED} per block")
    return grid, block


def parse_order(order: str, what: str) -> tuple[int, int]:
    """``"forward"``, ``"reverse"``, ``"random"`` or ``"random:<seed>"`` as (kind, seed)."""
    name, _, seed = str(order).partition(":")
    if name == "forward" and not seed:
        return abi.ORDER_FORWARD, 0
    if name == "reverse" and not seed:
        return abi.ORDER_REVERSE, 0
    if name == "random" and (not seed or seed.isdigit()):
        return abi.ORDER_RANDOM, int(seed or 1)
    raise ConfigError(f"{what} must be 'forward', 'reverse' or 'random:<seed>', got {order!r}")
