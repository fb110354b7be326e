"""Schedule (order) names of an emulated launch; launch limits are checked by
:func:`warpbench.runtime.launch.validate_launch`."""
from __future__ import annotations

from warpbench.errors import ConfigError
from warpbench.emu import abi


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
