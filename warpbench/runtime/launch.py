"""Launch validation: the one check of a grid, a block and shared memory against device limits.

Every launch goes through :func:`validate_launch` before it reaches a GPU or the emulator:
registry kernels on every device (``LaunchableKernel``), raw emulated launches and the
PyCUDA facade (``EmuFunction``, against :data:`warpbench.runtime.properties.EMULATED`).
A refused launch is one ConfigError line naming the kernel, the values and the limit.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ConfigError
from warpbench.kernels.spec import Launch
from warpbench.runtime.properties import DeviceProperties


def _is_integer(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def dim3(value, what: str, kernel: str) -> tuple[int, int, int]:
    """``value`` (an integer or 1 to 3 integers) as (x, y, z); ConfigError for anything else."""
    values = (value,) if _is_integer(value) else tuple(value) if isinstance(value, (tuple, list)) else None
    if values is None or not 1 <= len(values) <= 3 or not all(_is_integer(v) for v in values):
        raise ConfigError(f"kernel '{kernel}': {what} must be 1 to 3 integers, got {value!r}")
    values = tuple(int(v) for v in values) + (1,) * (3 - len(values))
    if min(values) < 1:
        raise ConfigError(f"kernel '{kernel}': {what} {values} has an extent below 1")
    return values


def validate_launch(kernel: str, grid, block, shared, props: DeviceProperties, *, static_shared: int = 0,
                    max_threads: int | None = None,
                    max_threads_source: str = "its __launch_bounds__") -> Launch:
    """The checked :class:`Launch` of ``kernel`` on a device with ``props``.

    ``max_threads`` is the kernel's own limit on threads per block (``__launch_bounds__``,
    or register use on a GPU), named by ``max_threads_source`` when it is the binding one.
    """
    grid, block = dim3(grid, "grid", kernel), dim3(block, "block", kernel)
    where, arch = f"kernel '{kernel}'", props.arch
    threads = block[0] * block[1] * block[2]
    limit, source = props.max_threads_per_block, arch
    if max_threads is not None and max_threads < limit:
        limit, source = max_threads, max_threads_source
    if threads > limit:
        raise ConfigError(f"{where}: block {block} has {threads} threads; {source} allows at most {limit} per block")
    for axis, (size, most) in enumerate(zip(block, props.max_block_dim)):
        if size > most:
            raise ConfigError(f"{where}: block {block} exceeds {arch}'s {most} threads along {'xyz'[axis]}")
    for axis, (size, most) in enumerate(zip(grid, props.max_grid_dim)):
        if size > most:
            raise ConfigError(f"{where}: grid {grid} exceeds {arch}'s {most} blocks along {'xyz'[axis]}")
    if not _is_integer(shared) or shared < 0:
        raise ConfigError(f"{where}: dynamic shared memory must be a byte count >= 0, got {shared!r}")
    if static_shared > props.shared_per_block:
        raise ConfigError(f"{where}: {static_shared} bytes of static shared memory; {arch} allows "
                          f"{props.shared_per_block} (use dynamic shared memory beyond that)")
    total = int(shared) + static_shared
    if total > props.shared_per_block_optin:
        raise ConfigError(f"{where}: {total} bytes of shared memory per block ({static_shared} static + "
                          f"{int(shared)} dynamic); {arch} allows {props.shared_per_block_optin} per block")
    return Launch(grid, block, int(shared))
