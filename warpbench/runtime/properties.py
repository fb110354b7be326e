"""Device properties: the limits launch validation and occupancy work against, per architecture.

Figures are the CUDA C++ Programming Guide's compute-capability table (and the
occupancy calculator's allocation granularities); memory bandwidth and FP32 (non-tensor)
FLOP/s are data-sheet peaks of each architecture's named GPU (RTX 3090 and 4090 for sm_86
and sm_89), which the report's roofline shows when nothing measured them; the clock is the
boost clock those peaks assume (FP32 peak = SMs x 128 FP32 lanes x 2 FLOP x clock, 64 lanes
on sm_80: 1.41 GHz A100, 1.695 GHz RTX 3090, 2.52 GHz RTX 4090, 1.98 GHz H100 SXM), which
the tuner's model needs to turn per-clock SM throughputs into seconds. On a real GPU
the cuda device reads the same fields from the driver; these are the fallback, and
:data:`EMULATED` is the GPU the emulator emulates (every emulated launch is validated
against it).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from warpbench.errors import UnknownNameError


@dataclass(frozen=True)
class DeviceProperties:
    """The limits a launch must respect and the occupancy calculation needs."""

    name: str
    arch: str
    sm_count: int
    warp_size: int = 32
    max_threads_per_block: int = 1024
    max_block_dim: tuple[int, int, int] = (1024, 1024, 64)
    max_grid_dim: tuple[int, int, int] = (2**31 - 1, 65535, 65535)
    max_threads_per_sm: int = 2048
    max_blocks_per_sm: int = 32
    registers_per_sm: int = 65536
    max_registers_per_thread: int = 255
    register_alloc_unit: int = 256
    warp_alloc_granularity: int = 4
    shared_per_block: int = 48 * 1024
    shared_per_block_optin: int = 48 * 1024
    shared_per_sm: int = 64 * 1024
    shared_alloc_unit: int = 128
    shared_reserved_per_block: int = 0
    l2_bytes: int = 0
    memory_bandwidth_gbs: float = 0.0
    fp32_gflops: float = 0.0
    clock_ghz: float = 0.0

    @property
    def max_warps_per_sm(self) -> int:
        """Resident warps an SM can hold."""
        return self.max_threads_per_sm // self.warp_size


ARCHS: dict[str, DeviceProperties] = {
    "sm_80": DeviceProperties(
        name="A100 (sm_80 limits)", arch="sm_80", sm_count=108, max_threads_per_sm=2048,
        max_blocks_per_sm=32, shared_per_block_optin=163 * 1024, shared_per_sm=164 * 1024,
        shared_reserved_per_block=1024, l2_bytes=40 * 2**20, memory_bandwidth_gbs=2039.0,
        fp32_gflops=19500.0, clock_ghz=1.41),
    "sm_86": DeviceProperties(
        name="GA10x (sm_86 limits)", arch="sm_86", sm_count=84, max_threads_per_sm=1536,
        max_blocks_per_sm=16, shared_per_block_optin=99 * 1024, shared_per_sm=100 * 1024,
        shared_reserved_per_block=1024, l2_bytes=6 * 2**20, memory_bandwidth_gbs=936.0,
        fp32_gflops=35580.0, clock_ghz=1.695),
    "sm_89": DeviceProperties(
        name="AD10x (sm_89 limits)", arch="sm_89", sm_count=128, max_threads_per_sm=1536,
        max_blocks_per_sm=24, shared_per_block_optin=99 * 1024, shared_per_sm=100 * 1024,
        shared_reserved_per_block=1024, l2_bytes=72 * 2**20, memory_bandwidth_gbs=1008.0,
        fp32_gflops=82580.0, clock_ghz=2.52),
    "sm_90": DeviceProperties(
        name="H100 SXM (sm_90 limits)", arch="sm_90", sm_count=132, max_threads_per_sm=2048,
        max_blocks_per_sm=32, shared_per_block_optin=227 * 1024, shared_per_sm=228 * 1024,
        shared_reserved_per_block=1024, l2_bytes=50 * 2**20, memory_bandwidth_gbs=3350.0,
        fp32_gflops=66900.0, clock_ghz=1.98),
}

DEFAULT_ARCH = "sm_90"


def arch_properties(arch: str) -> DeviceProperties:
    """Limits of ``arch`` (``"sm_90"``); UnknownNameError lists the known ones."""
    try:
        return ARCHS[arch]
    except KeyError:
        raise UnknownNameError(f"unknown architecture {arch!r} (known: {', '.join(ARCHS)})") from None


def with_name(props: DeviceProperties, name: str, **fields) -> DeviceProperties:
    """A copy of ``props`` under another name, with some fields replaced."""
    return replace(props, name=name, **fields)


#: The GPU the CUDA emulator emulates: its launches are validated against these limits, and
#: its dynamic shared memory buffer (``abi.MAX_DYNAMIC_SHARED``) holds the opt-in maximum.
EMULATED = with_name(ARCHS[DEFAULT_ARCH], f"CUDA emulator on the CPU ({DEFAULT_ARCH} limits)")
