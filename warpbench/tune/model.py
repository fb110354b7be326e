"""The ``model`` objective: a stated model of one launch on the emulated GPU, fed by the
memory traffic the instrumented emulator counted for that configuration.

Without a GPU the emulator's speed says nothing about a GPU's, so a configuration is
ranked by this model and never by a time. The tuned problem's launch is run once through
the instrumented build (the same run that verifies it there), which counts, exactly as
Nsight Compute would, the global load/store/atomic requests and the 32-byte sectors they
touch, and the shared-memory requests and the wavefronts they take (one per conflict-free
access; an n-way bank conflict takes n). Four pipes of the GPU (:class:`DeviceProperties`
of the emulated GPU, with ``C`` its SM clock and ``S`` its SMs) each need

* ``compute``: the workload's FLOPs / FP32 peak;
* ``dram``: the workload's ideal bytes (every input read and output written once) / DRAM
  bandwidth;
* ``l1``: global sectors x 32 B / (S x :data:`L1_BYTES_PER_CLOCK` x C): every sector a
  warp touches crosses the L1/L2 fabric, so uncoalesced and reloaded tiles cost here;
* ``shared``: shared wavefronts / (S x :data:`SHARED_WAVEFRONTS_PER_CLOCK` x C): bank
  conflicts and shared loads per FMA cost here.

The pipes overlap, but not perfectly: the busy time is their :data:`OVERLAP_NORM`-norm (a
smooth maximum: the slowest pipe plus a little of the others, so every extra sector or
wavefront costs something and configurations with different traffic never tie). It is
divided by two efficiencies: latency and waves. Latency is hidden once the resident warps
of a busy SM times the global requests each warp makes (its memory-level parallelism, at
most :data:`REQUESTS_IN_FLIGHT`) reach :data:`SATURATING_OCCUPANCY` of the SM's warps,
linearly less below: a thread that moves four elements hides latency as four threads
moving one would. The wave efficiency is, for a grid larger than one wave, its blocks over
the resident-block slots of every SM rounded up to whole waves, and for a grid of one
partial wave, the fraction of SMs that get a block (each then holds ceil(blocks / SMs)).
Per-thread arrays the emulator keeps on its stack (``local`` bytes) are left out: a GPU
keeps them in registers, and ptxas's spills prune a configuration before it runs. The
value is labelled ``model`` everywhere, and the inputs are stored with each configuration.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from warpbench.errors import ConfigError
from warpbench.kernels.spec import KernelSpec, Problem
from warpbench.runtime.properties import DeviceProperties

#: Bytes per clock per SM between L1 and L2. The A100 whitepaper gives 5120 B/clk of L2 read
#: bandwidth for 108 SMs (47 B/clk each); H100's L2 is faster, so 64 B/clk is taken.
L1_BYTES_PER_CLOCK = 64
#: Shared-memory wavefronts per clock per SM: 32 banks x 4 B = 128 B/clk (33 TB/s on H100 SXM).
SHARED_WAVEFRONTS_PER_CLOCK = 1
SECTOR_BYTES = 32
OVERLAP_NORM = 4
SATURATING_OCCUPANCY = 0.5
#: Independent global requests a warp can have in flight that count toward hiding latency.
REQUESTS_IN_FLIGHT = 4
PIPES = ("compute", "dram", "l1", "shared")
#: Part of a model run's key (identity.run_key): a changed formula starts new runs, never
#: resumes values of another one.
MODEL_VERSION = 3

_GLOBAL = ("ld", "st", "atom")


@dataclass(frozen=True)
class Estimate:
    """The modelled seconds of a launch, the pipe bounding it, and every input (stored with
    the configuration's row: counts, pipe seconds, efficiencies)."""

    seconds: float
    bound: str
    inputs: dict


def traffic(counters: dict[str, float]) -> dict[str, int]:
    """The model's inputs among the counters (:func:`warpbench.emu.memory_metrics.counters`)."""
    def total(template: str, ops=_GLOBAL) -> int:
        return int(sum(counters.get(template.format(op), 0) for op in ops))
    return {"global_requests": total("l1tex__t_requests_pipe_lsu_mem_global_op_{}.sum"),
            "sectors": total("l1tex__t_sectors_pipe_lsu_mem_global_op_{}.sum"),
            "shared_requests": total("smsp__inst_executed_op_shared_{}.sum"),
            "wavefronts": total("l1tex__data_pipe_lsu_wavefronts_mem_shared_op_{}.sum"),
            "bank_conflicts": total("l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_{}.sum")}


def efficiencies(props: DeviceProperties, resources: dict, global_requests: int = 0) -> tuple[float, float]:
    """(latency, wave) efficiencies of a launch with ``resources`` that made ``global_requests``
    warp-level global requests (see the module docstring)."""
    occupancy = resources.get("occupancy") or 0.0
    per_sm = max(resources.get("blocks_per_sm", 0), 1)
    blocks = max(resources.get("blocks", 1), 1)
    slots = per_sm * props.sm_count
    if blocks > slots:
        wave, resident = blocks / (math.ceil(blocks / slots) * slots), occupancy
    else:
        # One partial wave: the busy SMs hold ceil(blocks / SMs) blocks each, the rest idle.
        wave = min(blocks, props.sm_count) / props.sm_count
        resident = occupancy * min(per_sm, math.ceil(blocks / props.sm_count)) / per_sm
    warps = blocks * math.ceil(max(resources.get("threads", 32), 1) / 32)
    in_flight = min(max(global_requests / warps, 1.0), REQUESTS_IN_FLIGHT)
    hidden = resident * in_flight
    latency = min(1.0, hidden / SATURATING_OCCUPANCY) if hidden > 0 else 1 / props.max_warps_per_sm
    return latency, wave


def estimate(spec: KernelSpec, problem: Problem, props: DeviceProperties, resources: dict,
             counters: dict[str, float]) -> Estimate:
    """The model of ``spec``'s launch for ``problem`` from its counted ``counters``."""
    if not (props.clock_ghz > 0 and props.memory_bandwidth_gbs > 0 and props.fp32_gflops > 0):
        raise ConfigError(f"{spec.name}: the model needs the clock, DRAM bandwidth and FP32 peak of "
                          f"{props.name}, which has clock {props.clock_ghz} GHz, {props.memory_bandwidth_gbs} GB/s, "
                          f"{props.fp32_gflops} GFLOP/s")
    counts = traffic(counters)
    flops, ideal = float(spec.workload.flops(problem)), float(spec.workload.bytes_moved(problem))
    per_sm_clock = props.sm_count * props.clock_ghz * 1e9
    pipes = {"compute": flops / (props.fp32_gflops * 1e9),
             "dram": ideal / (props.memory_bandwidth_gbs * 1e9),
             "l1": counts["sectors"] * SECTOR_BYTES / (L1_BYTES_PER_CLOCK * per_sm_clock),
             "shared": counts["wavefronts"] / (SHARED_WAVEFRONTS_PER_CLOCK * per_sm_clock)}
    busy = sum(t ** OVERLAP_NORM for t in pipes.values()) ** (1 / OVERLAP_NORM)
    latency, wave = efficiencies(props, resources, counts["global_requests"])
    bound = max(PIPES, key=pipes.__getitem__)
    inputs = {"flops": flops, "dram_bytes": ideal, **counts, **{f"{name}_s": t for name, t in pipes.items()},
              "latency_efficiency": latency, "wave_efficiency": wave, "bound": bound}
    return Estimate(busy / (latency * wave), bound, inputs)
