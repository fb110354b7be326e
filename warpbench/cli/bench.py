"""``warpbench bench``: time, GB/s and the fraction of a same-run copy, per variant."""
from __future__ import annotations

import sys

from warpbench.bench.suite import bench_rows
from warpbench.cli.args import (check_problem_fields, config_values, device_kind, literal_values, resolve_config,
                                with_overrides)
from warpbench.cli.progress import tracker
from warpbench.cli.tables import bench_table, print_json


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("bench", help="time kernels: seconds, GB/s, GFLOP/s and the fraction of copy bandwidth")
    p.add_argument("kernels", nargs="*", help="variant or family names (default: all)")
    p.add_argument("--device", type=device_kind, help="cuda, emu or cpu (default: cuda if usable, else emu)")
    p.add_argument("--config", type=config_values, default={},
                   help="tunables for every selected variant, e.g. TILE_DIM=64,BLOCK_ROWS=16")
    p.add_argument("--problem", type=literal_values, default={},
                   help="override problem fields, e.g. rows=4096,cols=4096")
    p.add_argument("--json", action="store_true", help="print the rows as a JSON array instead of a table")
    p.set_defaults(handler=handle)


def case_label(case) -> str:
    """``kernel at problem`` of a planned (kernel, problem) case, for the progress bar."""
    kernel, problem = case
    return f"{kernel.name} at {kernel.workload.describe(problem)}"


def timed_rows(device, specs, config: dict | None = None, adjust=None) -> list:
    """:func:`warpbench.bench.suite.bench_rows` with a progress bar (on a terminal)."""
    return bench_rows(device, specs, config, adjust, track=tracker(f"bench on {device.kind}", case_label))


def handle(args) -> int:
    """Print the benchmark table (or JSON rows); non-zero exit when a case failed."""
    from warpbench.kernels import select
    from warpbench.runtime import get_device
    device = get_device(args.device)
    specs, config = select(args.kernels), args.config
    resolve_config(specs, config)
    check_problem_fields([spec.workload for spec in specs], args.problem)
    rows = timed_rows(device, specs, config,
                      lambda workload, problem: with_overrides(device, workload, problem, args.problem))
    if device.emulated:
        print(f"note: {device.kind} timings measure the CPU emulator, not a GPU", file=sys.stderr)
    if args.json:
        print_json([r.as_dict() for r in rows])
    else:
        print(bench_table(rows))
    return 1 if any(r.error for r in rows) else 0
