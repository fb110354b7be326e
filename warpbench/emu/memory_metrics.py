"""Memory metrics with Nsight Compute's names, from the instrumented build's site totals.

The same names key the metrics Nsight Compute measures on a GPU (warpbench.cli.ncu), so
one table prints both. Counters are sums over the kernel's launches; the ratios (sectors
per request, sector efficiency, wavefronts per request) are derived from them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from warpbench.emu.instrument import SiteMetrics

_OPS = {"load": "ld", "store": "st", "atomic": "atom"}


def counter_names() -> list[str]:
    """The raw counters (what ``ncu --metrics`` is asked for)."""
    names = []
    for op in _OPS.values():
        names += [f"l1tex__t_requests_pipe_lsu_mem_global_op_{op}.sum",
                  f"l1tex__t_sectors_pipe_lsu_mem_global_op_{op}.sum", f"smsp__sass_data_bytes_mem_global_op_{op}.sum"]
    for op in _OPS.values():
        names += [f"smsp__inst_executed_op_shared_{op}.sum", f"l1tex__data_pipe_lsu_wavefronts_mem_shared_op_{op}.sum",
                  f"l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_{op}.sum"]
    return names + ["smsp__sass_data_bytes_mem_shared.sum", "smsp__sass_data_bytes_mem_local.sum"]


def counters(sites: list[SiteMetrics]) -> dict[str, float]:
    """Raw counters of a kernel from its sites (every counter present, zero when unused)."""
    totals = dict.fromkeys(counter_names(), 0.0)
    for s in sites:
        if s.space == "global":
            op = _OPS[s.op]
            totals[f"l1tex__t_requests_pipe_lsu_mem_global_op_{op}.sum"] += s.requests
            totals[f"l1tex__t_sectors_pipe_lsu_mem_global_op_{op}.sum"] += s.sectors
            totals[f"smsp__sass_data_bytes_mem_global_op_{op}.sum"] += s.bytes
        elif s.space == "shared":
            op = _OPS[s.op]
            totals[f"smsp__inst_executed_op_shared_{op}.sum"] += s.requests
            totals[f"l1tex__data_pipe_lsu_wavefronts_mem_shared_op_{op}.sum"] += s.wavefronts
            totals[f"l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_{op}.sum"] += s.wavefronts - s.ideal_wavefronts
            totals["smsp__sass_data_bytes_mem_shared.sum"] += s.bytes
        else:
            totals["smsp__sass_data_bytes_mem_local.sum"] += s.bytes
    return totals


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def derived(c: dict[str, float]) -> dict[str, float | None]:
    """The ratios Nsight Compute derives from the counters ``c`` (None where nothing ran)."""
    out: dict[str, float | None] = {}
    for op in ("ld", "st"):
        requests = c.get(f"l1tex__t_requests_pipe_lsu_mem_global_op_{op}.sum", 0)
        sectors = c.get(f"l1tex__t_sectors_pipe_lsu_mem_global_op_{op}.sum", 0)
        out[f"l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_{op}.ratio"] = _ratio(sectors, requests)
        data = c.get(f"smsp__sass_data_bytes_mem_global_op_{op}.sum", 0)
        efficiency = _ratio(data, sectors * 32)
        out[f"smsp__sass_average_data_bytes_per_sector_mem_global_op_{op}.pct"] = (
            None if efficiency is None else 100 * efficiency)
        shared = c.get(f"smsp__inst_executed_op_shared_{op}.sum", 0)
        out[f"derived__shared_wavefronts_per_request_op_{op}.ratio"] = _ratio(
            c.get(f"l1tex__data_pipe_lsu_wavefronts_mem_shared_op_{op}.sum", 0), shared)
    return out


#: Rows of the kernel table: (metric, what it means). The first column names Nsight Compute's metric.
TABLE = [
    ("l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum", "global load requests (warp-level)"),
    ("l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_ld.ratio",
     "global load sectors/request (ideal 4 for 4 B)"),
    ("smsp__sass_average_data_bytes_per_sector_mem_global_op_ld.pct", "global load sector efficiency %"),
    ("l1tex__t_requests_pipe_lsu_mem_global_op_st.sum", "global store requests"),
    ("l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_st.ratio", "global store sectors/request"),
    ("smsp__sass_average_data_bytes_per_sector_mem_global_op_st.pct", "global store sector efficiency %"),
    ("l1tex__t_requests_pipe_lsu_mem_global_op_atom.sum", "global atomic requests"),
    ("smsp__inst_executed_op_shared_ld.sum", "shared load requests"),
    ("l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum", "shared load bank conflicts (extra wavefronts)"),
    ("derived__shared_wavefronts_per_request_op_ld.ratio", "shared load wavefronts/request (n-way)"),
    ("smsp__inst_executed_op_shared_st.sum", "shared store requests"),
    ("l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_st.sum", "shared store bank conflicts"),
    ("derived__shared_wavefronts_per_request_op_st.ratio", "shared store wavefronts/request (n-way)"),
    ("smsp__sass_data_bytes_mem_global_op_ld.sum", "bytes read from global"),
    ("smsp__sass_data_bytes_mem_global_op_st.sum", "bytes written to global"),
    ("smsp__sass_data_bytes_mem_shared.sum", "bytes of shared memory accessed"),
    ("smsp__sass_data_bytes_mem_local.sum", "bytes of local memory (stack) accessed"),
]


def kernel_metrics(c: dict[str, float]) -> dict[str, float | None]:
    """Counters and derived ratios of one kernel, by metric name."""
    return {**c, **derived(c)}


@dataclass(frozen=True)
class LineMetrics:
    """One source line: its global sectors/request, shared wavefronts and bank conflicts."""
    file: str
    line: int
    global_requests: int
    sectors_per_request: float | None
    shared_requests: int
    wavefronts_per_request: float | None
    bank_conflicts: int


def by_line(sites: list[SiteMetrics]) -> dict[tuple[str, int], LineMetrics]:
    """The sites summed per (file, line); sites without a line are left out."""
    sums = defaultdict(lambda: [0, 0, 0, 0, 0])
    for s in sites:
        if s.file is None or s.space == "local":
            continue
        total = sums[(s.file, s.line)]
        if s.space == "global":
            total[0] += s.requests
            total[1] += s.sectors
        else:
            total[2] += s.requests
            total[3] += s.wavefronts
            total[4] += s.wavefronts - s.ideal_wavefronts
    return {key: LineMetrics(key[0], key[1], g, _ratio(sec, g), sh, _ratio(w, sh), conflicts)
            for key, (g, sec, sh, w, conflicts) in sums.items()}


@dataclass(frozen=True)
class Roofline:
    """A roofline *model* for one GPU: DRAM traffic taken as every global sector moved once
    (no cache reuse), against the workload's FLOP count; not a measurement."""
    gpu: str
    dram_bytes: float
    flops: float
    intensity: float | None
    bound: str
    seconds: float


def roofline(c: dict[str, float], flops: float, properties) -> Roofline:
    """The model time of a kernel on ``properties`` (a DeviceProperties)."""
    sectors = sum(c.get(f"l1tex__t_sectors_pipe_lsu_mem_global_op_{op}.sum", 0) for op in ("ld", "st", "atom"))
    dram = 32.0 * sectors
    memory_s = dram / (properties.memory_bandwidth_gbs * 1e9)
    compute_s = flops / (properties.fp32_gflops * 1e9)
    bound = "memory" if memory_s >= compute_s else "compute"
    return Roofline(properties.name, dram, flops, _ratio(flops, dram), bound, max(memory_s, compute_s))
