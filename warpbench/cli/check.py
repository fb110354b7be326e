"""``warpbench check``: every variant against NumPy at awkward shapes, or ``--compile`` with nvcc."""
from __future__ import annotations

from warpbench.bench.report import table
from warpbench.check import check_kernel, check_schedules, problems_for
from warpbench.cli.args import config_values, device_kind, resolve_config
from warpbench.errors import WarpbenchError


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("check", help="check kernels against NumPy (or compile them with --compile)")
    p.add_argument("kernels", nargs="*", help="variant or family names (default: all)")
    p.add_argument("--device", type=device_kind, help="cuda, emu or cpu (default: cuda if usable, else emu)")
    p.add_argument("--config", type=config_values, default={},
                   help="tunables for every selected variant, e.g. TILE_DIM=16,BLOCK_ROWS=8")
    p.add_argument("--compile", action="store_true",
                   help="compile every variant for sm_80 and sm_90; show registers, shared memory, spills, occupancy")
    p.add_argument("--list", action="store_true", help="list the variants with their tunables")
    p.add_argument("--schedules", action="store_true",
                   help="on emu, also rerun each kernel under reversed and random thread and block orders "
                        "with two poison patterns: any difference means a race or a missing barrier")
    p.set_defaults(handler=handle)


def list_rows(specs) -> str:
    """Table of variants, their family and workload, tunables, restrictions as written and summary."""
    from warpbench.kernels import family_of
    rows = []
    for s in specs:
        tunables = " ".join(f"{t.name}∈{{{','.join(map(str, t.values))}}}" for t in s.tunables)
        restrictions = "; ".join(r.text for r in s.restrictions)
        rows.append([s.name, family_of(s), s.workload.name, ",".join(s.dtypes), tunables, restrictions, s.summary])
    return table(["kernel", "family", "workload", "dtypes", "tunables", "restrictions", "summary"], rows)


def schedule_failure(kernel) -> str:
    """Why ``kernel``'s result depends on the schedule at its largest check problem ("" if it does not)."""
    from warpbench.runtime.kernel import LaunchableKernel
    if not isinstance(kernel, LaunchableKernel):
        return ""
    problem = max(problems_for(kernel), key=kernel.workload.bytes_moved)
    report = check_schedules(kernel, problem)
    return "" if report.identical else f"schedule-dependent at {kernel.workload.describe(problem)}: {report.summary()}"


def check_rows(device, specs, config: dict, schedules: bool = False) -> tuple[str, list[str], bool]:
    """Check each distinct kernel the specs compile to on ``device`` (one host-code kernel per
    workload on cpu); returns the table, failure lines, all-ok.

    With ``schedules`` (on a device that reorders schedules) each passing kernel is also
    checked for schedule dependence.
    """
    rows, failures, all_ok, seen = [], [], True, set()
    for spec in specs:
        label = spec.name
        try:
            kernel = device.compile(spec, config)
            label = kernel.name
            if label in seen:
                continue
            seen.add(label)
            results = check_kernel(kernel)
        except WarpbenchError as exc:
            rows.append([label, device.kind, "", "0/0", "", "", "ERROR"])
            failures.append(f"{label}: {exc}")
            all_ok = False
            continue
        passed = sum(r.ok for r in results)
        worst = max((r.max_abs_err for r in results if r.ok), default=0.0)
        ok = passed == len(results)
        race = schedule_failure(kernel) if ok and schedules and device.reorders_schedules else ""
        if race:
            ok = False
            failures.append(f"{label}: {race}")
        all_ok &= ok
        shown = ",".join(f"{k}={v}" for k, v in kernel.config.items())
        rows.append([label, device.kind, shown, f"{passed}/{len(results)}", f"{worst:.2e}",
                     _sizes(results), "PASS" if ok else ("RACE" if race else "FAIL")])
        failures += [f"{label} at {r.problem}: {r.message}" for r in results if not r.ok][:3]
    headers = ["kernel", "device", "config", "passed", "max abs err", "problems", "status"]
    return table(headers, rows), failures, all_ok


def _sizes(results) -> str:
    shown = [r.problem for r in results[:4]]
    return ", ".join(shown) + (f", … ({len(results)})" if len(results) > 4 else "")


def compile_rows(specs, config: dict) -> tuple[str, bool]:
    """nvcc every variant for sm_80 and sm_90; table of resources and occupancy."""
    from warpbench.kernels.compile import compile_cubin
    from warpbench.kernels.occupancy import occupancy
    from warpbench.kernels.spec import PipelineSpec
    from warpbench.runtime.properties import arch_properties
    rows, ok = [], True
    for spec in specs:
        if isinstance(spec, PipelineSpec):
            rows.append([spec.name, "", "", "", "", "", "", "", f"pipeline of {', '.join(spec.stages)}"])
            continue
        resolved = spec.resolve(config or None)
        problem = spec.workload.bench_problems[0]
        for arch in ("sm_80", "sm_90"):
            props = arch_properties(arch)
            try:
                module = compile_cubin(spec.source, spec.defines(resolved), arch=arch, kernel=spec.name)
            except WarpbenchError as exc:
                rows.append([spec.name, arch, "", "", "", "", "", "", f"ERROR: {exc}"])
                ok = False
                continue
            res = module.resources[spec.entry]
            lau = spec.geometry(problem, resolved, props)
            occ = occupancy(props, lau.threads_per_block, res.registers, res.shared_static + lau.shared)
            status = "ok" if res.spills == 0 else f"SPILLS {res.spills} B"
            ok &= res.spills == 0
            rows.append([spec.name, arch, res.registers, res.shared_static, lau.shared, res.spills,
                         lau.threads_per_block, f"{occ.occupancy:.2f} ({occ.limiter})", status])
    headers = ["kernel", "arch", "regs", "static smem", "dyn smem", "spill B", "threads", "occupancy", "status"]
    return table(headers, rows), ok


def handle(args) -> int:
    """Run the checks and print the table; non-zero exit when anything fails."""
    from warpbench.kernels import select
    from warpbench.runtime import get_device
    specs = select(args.kernels)
    config = args.config
    resolve_config(specs, config)
    if args.list:
        print(list_rows(specs))
        return 0
    if args.compile:
        text, ok = compile_rows(specs, config)
        print(text)
        return 0 if ok else 1
    device = get_device(args.device)
    if args.schedules and not device.reorders_schedules:
        raise WarpbenchError(f"--schedules needs the emu device, which reorders threads and blocks "
                             f"(got {device.kind})")
    text, failures, ok = check_rows(device, specs, config, args.schedules)
    print(text)
    for line in failures:
        print(f"FAIL {line}")
    return 0 if ok else 1
