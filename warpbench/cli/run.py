"""``warpbench run``: check and bench on the default device, and write report/."""
from __future__ import annotations

from warpbench.bench.report import write_report
from warpbench.cli.args import report_folder
from warpbench.cli.bench import timed_rows
from warpbench.cli.check import all_passed, check_rows
from warpbench.cli.tables import bench_table, check_table


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("run", help="check + bench on the default device, host code on the cpu; write report/")
    p.add_argument("kernels", nargs="*", help="variant or family names (default: all)")
    p.add_argument("--out", type=report_folder, default="report",
                   help="folder for report.html, report.md (with SVG charts) and results.json")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    """Check kernels on the default device and host code on the cpu, bench both, write the report."""
    from warpbench.kernels import select
    from warpbench.runtime import cuda_status, get_device
    usable, reason = cuda_status()
    if not usable:
        print(f"cuda: unavailable: {reason}; kernels run on the CPU emulator instead")
    kernel_device = get_device()
    cpu = get_device("cpu")
    specs = select(args.kernels)
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
    meta = {"kernel device": kernel_device.name, "cuda": "available" if usable else f"unavailable: {reason}"}
    print(f"\nreport: rooflines, charts and nvcc resources of {len(specs)} variant(s) into {args.out}/")
    paths = write_report(args.out, sections, rows, meta, devices=(kernel_device, cpu), specs=specs)
    print(f"report: {', '.join(map(str, paths[:3]))} (+ {len(paths) - 3} SVG charts)")
    return 0 if all_ok and not any(r.error for r in rows) else 1
