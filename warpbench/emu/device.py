"""The emulated GPU as PyCUDA's driver module describes it: ``init``, ``Device``,
``device_attribute``, contexts and versions.

There is one device, "CUDA emulator", of compute capability 9.0: its attributes are the
sm_90 limits every emulated launch is validated against
(:data:`warpbench.runtime.properties.EMULATED`). Contexts are bookkeeping only: the
emulator has no per-context state, so pushing and popping them changes nothing a kernel sees.
"""
from __future__ import annotations

import enum
import os

from warpbench.errors import ConfigError
from warpbench.runtime.properties import EMULATED

NAME = "CUDA emulator"
COMPUTE_CAPABILITY = (9, 0)
#: The CUDA API level this facade follows (``get_version``), not an installed driver.
CUDA_VERSION = (12, 0, 0)


class device_attribute(enum.IntEnum):   # noqa: N801 (PyCUDA's name)
    """``CUdevice_attribute`` names and numbers, for the attributes the emulator defines."""
    MAX_THREADS_PER_BLOCK = 1
    MAX_BLOCK_DIM_X = 2
    MAX_BLOCK_DIM_Y = 3
    MAX_BLOCK_DIM_Z = 4
    MAX_GRID_DIM_X = 5
    MAX_GRID_DIM_Y = 6
    MAX_GRID_DIM_Z = 7
    MAX_SHARED_MEMORY_PER_BLOCK = 8
    TOTAL_CONSTANT_MEMORY = 9
    WARP_SIZE = 10
    MAX_REGISTERS_PER_BLOCK = 12
    MULTIPROCESSOR_COUNT = 16
    INTEGRATED = 18
    CONCURRENT_KERNELS = 31
    L2_CACHE_SIZE = 38
    MAX_THREADS_PER_MULTIPROCESSOR = 39
    UNIFIED_ADDRESSING = 41
    COMPUTE_CAPABILITY_MAJOR = 75
    COMPUTE_CAPABILITY_MINOR = 76
    MAX_SHARED_MEMORY_PER_MULTIPROCESSOR = 81
    MAX_REGISTERS_PER_MULTIPROCESSOR = 82
    MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97
    MAX_BLOCKS_PER_MULTIPROCESSOR = 106

    def __str__(self) -> str:
        return self.name


def _attributes() -> dict[device_attribute, int]:
    p, a = EMULATED, device_attribute
    return {
        a.MAX_THREADS_PER_BLOCK: p.max_threads_per_block, a.MAX_BLOCK_DIM_X: p.max_block_dim[0],
        a.MAX_BLOCK_DIM_Y: p.max_block_dim[1], a.MAX_BLOCK_DIM_Z: p.max_block_dim[2],
        a.MAX_GRID_DIM_X: p.max_grid_dim[0], a.MAX_GRID_DIM_Y: p.max_grid_dim[1],
        a.MAX_GRID_DIM_Z: p.max_grid_dim[2], a.MAX_SHARED_MEMORY_PER_BLOCK: p.shared_per_block,
        a.TOTAL_CONSTANT_MEMORY: 64 * 1024, a.WARP_SIZE: p.warp_size,
        a.MAX_REGISTERS_PER_BLOCK: p.registers_per_sm, a.MULTIPROCESSOR_COUNT: p.sm_count,
        a.INTEGRATED: 0, a.CONCURRENT_KERNELS: 0, a.L2_CACHE_SIZE: p.l2_bytes,
        a.MAX_THREADS_PER_MULTIPROCESSOR: p.max_threads_per_sm, a.UNIFIED_ADDRESSING: 1,
        a.COMPUTE_CAPABILITY_MAJOR: COMPUTE_CAPABILITY[0], a.COMPUTE_CAPABILITY_MINOR: COMPUTE_CAPABILITY[1],
        a.MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: p.shared_per_sm,
        a.MAX_REGISTERS_PER_MULTIPROCESSOR: p.registers_per_sm,
        a.MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: p.shared_per_block_optin,
        a.MAX_BLOCKS_PER_MULTIPROCESSOR: p.max_blocks_per_sm,
    }


def init(flags: int = 0) -> None:
    """Nothing to initialise; kept for PyCUDA code that calls ``drv.init()``."""


def _host_memory() -> tuple[int, int]:
    page = os.sysconf("SC_PAGE_SIZE")
    return os.sysconf("SC_AVPHYS_PAGES") * page, os.sysconf("SC_PHYS_PAGES") * page


def mem_get_info() -> tuple[int, int]:
    """(free, total) bytes: device memory is host memory here."""
    return _host_memory()


def get_version() -> tuple[int, int, int]:
    """The CUDA API level the facade follows (:data:`CUDA_VERSION`)."""
    return CUDA_VERSION


def get_driver_version() -> int:
    """:data:`CUDA_VERSION` as the driver API encodes it (12000 for 12.0)."""
    return CUDA_VERSION[0] * 1000 + CUDA_VERSION[1] * 10


class Device:
    """The one emulated device, ordinal 0."""

    def __init__(self, ordinal: int = 0):
        if int(ordinal) != 0:
            raise ConfigError(f"Device({ordinal}): the emulator has one device, ordinal 0")
        self.ordinal = 0

    @staticmethod
    def count() -> int:
        """Number of devices: 1."""
        return 1

    def name(self) -> str:
        """``"CUDA emulator"``."""
        return NAME

    def compute_capability(self) -> tuple[int, int]:
        """(9, 0): the emulator validates launches against sm_90 limits."""
        return COMPUTE_CAPABILITY

    def total_memory(self) -> int:
        """Bytes of host memory (where device arrays live)."""
        return _host_memory()[1]

    def pci_bus_id(self) -> str:
        """No PCI device: a fixed placeholder."""
        return "0000:00:00.0"

    def get_attribute(self, attribute) -> int:
        """The value of one ``device_attribute``; ConfigError for one the emulator does not define."""
        try:
            return _attributes()[device_attribute(attribute)]
        except ValueError:
            raise ConfigError(f"device attribute {attribute!r} is not defined by the emulator "
                              f"(defined: {', '.join(a.name for a in device_attribute)})") from None

    def get_attributes(self) -> dict[device_attribute, int]:
        """Every defined attribute with its value."""
        return _attributes()

    def __getattr__(self, name: str) -> int:
        try:
            return _attributes()[device_attribute[name.upper()]]
        except KeyError:
            raise AttributeError(f"Device has no attribute {name!r}") from None

    def make_context(self, flags: int = 0) -> "Context":
        """A context on this device, made current."""
        context = Context(self)
        context.push()
        return context

    def retain_primary_context(self) -> "Context":
        """The device's primary context (not made current: ``push`` it)."""
        return Context(self)

    def __eq__(self, other) -> bool:
        return isinstance(other, Device)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"<Device 0: {NAME}>"


class Context:
    """A context: a stack entry with a device; ``synchronize`` is a no-op (launches finish
    before they return)."""

    _stack: list["Context"] = []

    def __init__(self, device: Device | None = None):
        self.device = device or Device(0)

    @staticmethod
    def synchronize() -> None:
        """Launches are synchronous on the emulator."""

    @staticmethod
    def get_device() -> Device:
        """The emulated device."""
        return Device(0)

    @classmethod
    def get_current(cls) -> "Context | None":
        """The context on top of the stack, or None."""
        return cls._stack[-1] if cls._stack else None

    @classmethod
    def pop(cls) -> None:
        """Remove the current context from the stack (none left: nothing happens)."""
        if cls._stack:
            cls._stack.pop()

    def push(self) -> None:
        """Make this context current."""
        Context._stack.append(self)

    def detach(self) -> None:
        """Forget this context."""
        if self in Context._stack:
            Context._stack.remove(self)

    @staticmethod
    def set_limit(limit, value) -> None:
        """Limits (stack size, printf FIFO) have no effect here."""

    @staticmethod
    def get_limit(limit) -> int:
        """No limits are emulated: 0."""
        return 0

    @staticmethod
    def set_cache_config(config) -> None:
        """No cache to configure on the emulator."""
