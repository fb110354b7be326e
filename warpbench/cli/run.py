"""``warpbench run``: tune a few cheap kernels, check and bench on the default device, time the
book's networks on it and on the cpu (:mod:`warpbench.bench.report.networks`), and write report/
with what the tuner's database holds for the kernel device (:mod:`warpbench.bench.report.tuning`)."""
from __future__ import annotations

import sys
import time

from warpbench.bench.report import write_report
from warpbench.cli.args import report_folder
from warpbench.cli.bench import timed_rows
from warpbench.cli.check import all_passed, check_rows
from warpbench.cli.tables import bench_table, check_table

#: Variants ``run`` tunes when they are selected, so that a fresh machine's report has a tuning
#: section: each has two tunables (a heatmap) and costs seconds on the emulator; a stored run
#: is resumed, so later runs add nothing. Tuning comes first, so that check and bench use the
#: configurations the report shows as best.
RUN_TUNED = ("transpose_padded", "copy")
#: Configurations per kernel (stored ones included), drawn by the seeded random strategy.
TUNE_BUDGET = 10


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("run", help="check + bench on the default device, host code on the cpu; write report/")
    p.add_argument("kernels", nargs="*", help="variant or family names (default: all)")
    p.add_argument("--out", type=report_folder, default="report",
                   help="folder for report.html, report.md (with SVG charts) and results.json")
    p.add_argument("--no-networks", action="store_true", help="leave out the networks section (the book's networks)")
    p.add_argument("--no-tune", action="store_true",
                   help=f"do not tune {' and '.join(RUN_TUNED)} first (the report still shows the tuner's database)")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    """Tune, check kernels on the default device and host code on the cpu, bench both, write the report."""
    from warpbench.kernels import select
    from warpbench.runtime import cuda_status, get_device
    from warpbench.tune.summary import device_tuning
    usable, reason = cuda_status()
    if not usable:
        print(f"cuda: unavailable: {reason}; kernels run on the CPU emulator instead")
    kernel_device = get_device()
    cpu = get_device("cpu")
    specs = select(args.kernels)
    if not args.no_tune:
        tune_cheap(kernel_device, [s.name for s in specs if s.name in RUN_TUNED])
    sections, all_ok, rows = {}, True, []
    for device in (kernel_device, cpu):
        check = check_rows(device, specs, {})
        all_ok &= all_passed(check)
        sections[f"check on {device.name}"] = check_table(check)
        print(f"\ncheck on {device.name}\n{sections[f'check on {device.name}']}")
    for device in ((cpu,) if kernel_device.emulated else (kernel_device, cpu)):
        device_rows = timed_rows(device, specs)
        rows += device_rows
        sections[f"bench on {device.name}"] = bench_table(device_rows)
        print(f"\nbench on {device.name}\n{bench_table(device_rows)}")
    timings = () if args.no_networks else network_timings(kernel_device, cpu)
    meta = {"kernel device": kernel_device.name, "cuda": "available" if usable else f"unavailable: {reason}"}
    # Only devices that launch kernels have configurations; the cpu runs host code.
    tuning = [device_tuning(d, kernels=[s.name for s in specs]) for d in (kernel_device, cpu)
              if d.graph_placement is not None]
    print(f"\nreport: rooflines, charts and nvcc resources of {len(specs)} variant(s) into {args.out}/")
    paths = write_report(args.out, sections, rows, meta, devices=(kernel_device, cpu), specs=specs, tuning=tuning,
                         networks=timings)
    print(f"report: {', '.join(map(str, paths[:3]))} (+ {len(paths) - 3} SVG charts)")
    failed = any(r.error for r in rows) or any(t.error for t in timings)
    return 0 if all_ok and not failed else 1


def tune_cheap(device, names: list[str]) -> None:
    """Tune each of ``names`` on ``device`` with :data:`TUNE_BUDGET` configurations, printing
    each run's summary and its wall time; a kernel that cannot be tuned here is skipped with
    the reason (the report then says how to tune it)."""
    from warpbench.errors import WarpbenchError
    from warpbench.tune import tune
    if not names or device.graph_placement is None:
        return
    print(f"\ntune on {device.name} ({TUNE_BUDGET} configurations each, stored ones kept; --no-tune skips)")
    for name in names:
        start = time.perf_counter()
        try:
            result = tune(name, device=device, strategy="random", budget=TUNE_BUDGET)
        except WarpbenchError as exc:
            print(f"tune {name}: skipped: {exc}", file=sys.stderr)
            continue
        print(f"{result.summary()} [{time.perf_counter() - start:.1f} s]")
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)


def network_timings(kernel_device, cpu) -> list:
    """One profiled call of each network's phases on the cpu and the kernel device (tiny sizes
    on the emulator), printed as a table."""
    from warpbench.bench.report.networks import time_networks, timing_table
    from warpbench.bench.report.tables import table
    tiny = kernel_device.emulated
    timings = time_networks((cpu.kind, kernel_device.kind), tiny)
    print(f"\nnetworks on {cpu.kind} and {kernel_device.kind} ({'tiny' if tiny else 'book'} sizes)")
    print(table(*timing_table(timings)))
    return timings
