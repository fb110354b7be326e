"""``warpbench profile``: why is my kernel slow? Memory metrics with Nsight Compute's names.

On emu the instrumented build counts every access: global sectors per request, shared-memory
bank conflicts, bytes per address space, per kernel and per source line; with nvcc, ptxas's
registers, spills and occupancy; and a roofline *model* for a chosen GPU. On cuda, Nsight
Compute measures the same counters (warpbench.cli.ncu).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

from warpbench.cli.args import check_problem_fields, config_values, device_kind, literal_values, resolve_config
from warpbench.cli.tables import print_json, table
from warpbench.emu import memory_metrics as mm
from warpbench.errors import WarpbenchError


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("profile", help="memory metrics (sectors/request, bank conflicts), a source view, "
                                       "registers/occupancy and a roofline model for one kernel")
    p.add_argument("kernel", help="variant name, e.g. transpose_naive")
    p.add_argument("--device", type=device_kind, help="emu (instrumented build) or cuda (Nsight Compute); "
                                                       "default: cuda if usable, else emu")
    p.add_argument("--config", type=config_values, default={}, help="tunables, e.g. TILE_DIM=16,BLOCK_ROWS=4")
    p.add_argument("--problem", type=literal_values, default={},
                   help="problem fields, e.g. rows=1024,cols=1024 (default on emu: the largest check problem)")
    p.add_argument("--gpu", default="sm_90",
                   help="architecture of the roofline model and occupancy (default sm_90, H100)")
    p.add_argument("--racecheck", action="store_true", help="on emu, also check for data races")
    p.add_argument("--initcheck", action="store_true", help="on emu, also check for reads of memory never written")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.set_defaults(handler=handle)


def _fmt(value) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def metric_table(metrics: dict) -> str:
    """The kernel table: Nsight Compute metric name, meaning, value."""
    return table(["metric", "meaning", "value"], [[name, label, _fmt(metrics.get(name))] for name, label in mm.TABLE])


def kernel_lines(text: str, entry: str) -> range | None:
    """The line numbers of ``entry``'s definition in ``text`` (from its ``__global__`` line to
    its closing brace), or None when it cannot be found."""
    found = re.search(rf"__global__[^;{{]*?\b{re.escape(entry)}\s*\(", text)
    if not found:
        return None
    start = text.rfind("\n", 0, found.start()) + 1
    depth, opened = 0, False
    for index in range(found.end(), len(text)):
        if text[index] == "{":
            depth, opened = depth + 1, True
        elif text[index] == "}":
            depth -= 1
            if opened and depth == 0:
                return range(text.count("\n", 0, start) + 1, text.count("\n", 0, index) + 2)
    return None


def source_view(path: Path, lines: dict, entry: str | None = None) -> str:
    """The lines of ``entry``'s definition in ``path`` (the whole file when not found) with the
    global sectors/request and shared wavefronts/request (and bank conflicts) measured on
    each; then the measured lines elsewhere (helpers in the file, headers)."""
    text = path.read_text()
    source = text.splitlines()
    span = (kernel_lines(text, entry) if entry else None) or range(1, len(source) + 1)
    here = {line: m for (file, line), m in lines.items() if Path(file).name == path.name}
    rows = [_line_row(f"{number}", here.get(number), source[number - 1]) for number in span]
    for (file, line), found in sorted(lines.items()):
        if Path(file).name == path.name and line not in span and line <= len(source):
            rows.append(_line_row(f"{line}", found, source[line - 1]))
        elif Path(file).name != path.name:
            rows.append(_line_row(f"{Path(file).name}:{line}", found, ""))
    return table(["line", "gld/st req", "sectors/req", "shared req", "ways", "conflicts", "source"], rows)


def _line_row(label: str, m, text: str) -> list:
    if m is None:
        return [label, "", "", "", "", "", text]
    return [label, _fmt(m.global_requests or None), _fmt(m.sectors_per_request), _fmt(m.shared_requests or None),
            _fmt(m.wavefronts_per_request), _fmt(m.bank_conflicts or None), text]


def _default_problem(kernel, device) -> dict:
    from warpbench.check import problems_for
    if device.emulated:
        return max(problems_for(kernel), key=kernel.workload.bytes_moved)
    return kernel.workload.bench_problems[0]


def _emu_metrics(kernel, problem: dict, racecheck: bool, initcheck: bool):
    from warpbench.check import device_buffers
    from warpbench.emu import instrument
    inputs = kernel.workload.make_inputs(problem, np.random.default_rng(0))
    buffers = device_buffers(kernel.device, kernel.workload, problem, inputs)
    with instrument.session(True, racecheck, initcheck) as running:
        kernel.launch_problem(problem, buffers)
    sites = [s for launch in running.launches for s in launch.sites]
    return mm.counters(sites), mm.by_line(sites), running.launches


def _usage(spec, config: dict, gpu: str, problem: dict) -> dict:
    from warpbench.kernels.usage import static_usage
    try:
        u = static_usage(spec, config, gpu, problem)
    except WarpbenchError as exc:
        return {"unavailable": str(exc)}
    return {"arch": u.arch, "registers": u.registers, "spill_bytes": u.spill_bytes, "static_shared": u.static_shared,
            "threads_per_block": u.threads_per_block, "occupancy": round(u.occupancy.occupancy, 3)}


def handle(args) -> int:
    """Profile one kernel and print the tables (or one JSON object)."""
    from warpbench.kernels import get
    from warpbench.runtime import get_device
    from warpbench.runtime.properties import arch_properties
    spec = get(args.kernel)
    resolve_config([spec], args.config)
    check_problem_fields([spec.workload], args.problem)
    properties = arch_properties(args.gpu)
    device = get_device(args.device)
    kernel = device.compile(spec, args.config)
    problem = {**_default_problem(kernel, device), **args.problem}
    lines, launches = {}, []
    if device.emulated:
        counters, lines, launches = _emu_metrics(kernel, problem, args.racecheck, args.initcheck)
    else:
        from warpbench.cli import ncu
        per_kernel = ncu.profile(kernel, problem)
        counters = {name: sum(m.get(name, 0.0) for m in per_kernel.values()) for name in mm.counter_names()}
    metrics = mm.kernel_metrics(counters)
    model = mm.roofline(counters, spec.workload.flops(problem), properties)
    usage = _usage(spec, args.config, args.gpu, problem)
    described = spec.workload.describe(problem)
    if args.json:
        print_json([{"kernel": spec.name, "device": device.kind, "problem": described, "metrics": metrics,
                     "launches": [{"kernel": l.kernel, "grid": l.grid, "block": l.block} for l in launches],
                     "lines": [vars(m) for m in lines.values()], "usage": usage,
                     "roofline_model": vars(model)}])
        return 0
    source = "instrumented emulator build (exact counts)" if device.emulated else "Nsight Compute"
    print(f"{spec.name} at {described} on {device.kind}: {source}\n")
    print(metric_table(metrics))
    if lines:
        from warpbench.kernels.source import source_file
        print(f"\nsource view ({source_file(spec)})\n")
        print(source_view(Path(source_file(spec)), lines, spec.entry))
    print("\nregisters/occupancy (ptxas): " + ", ".join(f"{k} {v}" for k, v in usage.items()))
    intensity = "" if model.intensity is None else f", {model.intensity:.2f} FLOP/byte"
    print(f"roofline MODEL for {model.gpu} (every global sector from DRAM once, not a measurement): "
          f"{model.dram_bytes:,.0f} bytes, {model.flops:,.0f} FLOP{intensity}, {model.bound}-bound, "
          f"{model.seconds * 1e6:.2f} µs")
    if device.emulated:
        print("note: counts are exact for the emulated schedule; no cache is modelled", file=sys.stderr)
    return 0
