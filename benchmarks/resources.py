"""nvcc's view of every registry kernel for sm_90 (H100 limits): registers per thread, bytes
spilled, static shared memory and theoretical occupancy, each a ``track_*`` benchmark.

Only nvcc is needed, no GPU, so a machine without one still tracks how each change moves
every kernel's resources. The default config of each variant is compiled (cached on disk);
occupancy is for the launch of the workload's first benchmark problem. Pipeline variants
launch registry kernels, which are tracked here under their own names. Without nvcc every
case is skipped with the reason.
"""
from warpbench.bench.cases import SkipBenchmark
from warpbench.errors import ToolMissing
from warpbench.kernels import all_specs, get
from warpbench.kernels.spec import KernelSpec
from warpbench.kernels.usage import static_usage

ARCH = "sm_90"
# Sorted: registration order depends on which spec module was imported first, and asv matches
# a parameter by its position in the process that discovered it and in the one that runs it.
KERNELS = sorted(spec.name for spec in all_specs() if isinstance(spec, KernelSpec))


class KernelResources:
    """ptxas's resource usage and the occupancy it allows, per kernel at its default config."""

    params = (KERNELS,)
    param_names = ["kernel"]
    timeout = 600

    def setup(self, kernel):
        try:
            self.usage = static_usage(get(kernel), arch=ARCH)
        except ToolMissing as exc:
            raise SkipBenchmark(str(exc)) from None

    def track_registers(self, kernel):
        """Registers per thread."""
        return self.usage.registers

    track_registers.unit = "registers"

    def track_spill_bytes(self, kernel):
        """Bytes spilled to local memory (stores plus loads); zero is the goal."""
        return self.usage.spill_bytes

    track_spill_bytes.unit = "bytes"

    def track_static_shared_bytes(self, kernel):
        """Static shared memory per block."""
        return self.usage.static_shared

    track_static_shared_bytes.unit = "bytes"

    def track_occupancy(self, kernel):
        """Theoretical occupancy: resident warps over the SM's maximum (higher is better)."""
        return self.usage.occupancy.occupancy

    track_occupancy.unit = "fraction"
