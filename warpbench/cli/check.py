"""``warpbench check``: every variant against NumPy at awkward shapes, or ``--compile`` with nvcc.

Each mode builds rows (dicts, the ``--json`` output) and prints them as a table otherwise.
"""
from __future__ import annotations

from warpbench.check import check_kernel, check_schedules, problems_for
from warpbench.cli.args import config_values, device_kind, resolve_config
from warpbench.cli.progress import tracker
from warpbench.cli.tables import check_table, compile_table, list_table, print_json
from warpbench.errors import WarpbenchError

#: How many failing problems of one kernel are listed; the count is in ``passed``.
SHOWN_FAILURES = 3


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
    p.add_argument("--json", action="store_true", help="print the rows as a JSON array instead of a table")
    p.set_defaults(handler=handle)


def list_rows(specs) -> list[dict]:
    """One row per variant: family, workload, dtypes, tunables and their values, restrictions as written."""
    from warpbench.kernels import family_of
    return [{"kernel": s.name, "family": family_of(s), "workload": s.workload.name, "dtypes": list(s.dtypes),
             "tunables": {t.name: list(t.values) for t in s.tunables},
             "restrictions": [r.text for r in s.restrictions], "summary": s.summary} for s in specs]


def schedule_failure(kernel) -> str:
    """Why ``kernel``'s result depends on the schedule at its largest check problem ("" if it does not)."""
    from warpbench.runtime.kernel import LaunchableKernel
    if not isinstance(kernel, LaunchableKernel):
        return ""
    problem = max(problems_for(kernel), key=kernel.workload.bytes_moved)
    report = check_schedules(kernel, problem)
    return "" if report.identical else f"schedule-dependent at {kernel.workload.describe(problem)}: {report.summary()}"


def _row(kernel: str, device, config: dict, results, status: str, failures: list[str]) -> dict:
    passing = [r.max_abs_err for r in results if r.ok]
    return {"kernel": kernel, "device": device.kind, "config": dict(config), "passed": sum(r.ok for r in results),
            "max_abs_err": max(passing) if passing else None, "problems": [r.problem for r in results],
            "status": status, "failures": failures}


def check_rows(device, specs, config: dict, schedules: bool = False) -> list[dict]:
    """Check each distinct kernel the specs compile to on ``device`` (one host-code kernel per
    workload on cpu): one row per kernel with its status (PASS, FAIL, RACE or ERROR) and
    failure lines.

    With ``schedules`` (on a device that reorders schedules) each passing kernel is also
    checked for schedule dependence.
    """
    rows, seen = [], set()
    for spec in tracker(f"check on {device.kind}", lambda s: s.name)(specs):
        label = spec.name
        try:
            kernel = device.compile(spec, config)
            label = kernel.name
            if label in seen:
                continue
            seen.add(label)
            results = check_kernel(kernel)
        except WarpbenchError as exc:
            rows.append(_row(label, device, {}, [], "ERROR", [f"{label}: {exc}"]))
            continue
        failures = [f"{label} at {r.problem}: {r.message}" for r in results if not r.ok][:SHOWN_FAILURES]
        ok = all(r.ok for r in results)
        race = schedule_failure(kernel) if ok and schedules and device.reorders_schedules else ""
        status = "RACE" if race else ("PASS" if ok else "FAIL")
        rows.append(_row(label, device, kernel.config, results, status, [f"{label}: {race}"] if race else failures))
    return rows


def all_passed(rows: list[dict]) -> bool:
    """True when every row of :func:`check_rows` passed."""
    return all(r["status"] == "PASS" for r in rows)


def _compile_row(kernel: str, arch: str | None, status: str, **resources) -> dict:
    fields = ("registers", "static_shared", "dynamic_shared", "spill_bytes", "threads", "occupancy", "limiter")
    return {"kernel": kernel, "arch": arch, **{f: resources.get(f) for f in fields}, "status": status}


def compile_rows(specs, config: dict) -> list[dict]:
    """nvcc every variant for sm_80 and sm_90: registers, shared memory, spills and occupancy per arch.
    Status is ``ok``, ``SPILLS <n> B``, ``ERROR: <why>`` or, for a pipeline, its stages."""
    from warpbench.kernels.spec import PipelineSpec
    from warpbench.kernels.usage import static_usage
    rows = []
    for spec in tracker("nvcc", lambda s: s.name)(specs):
        if isinstance(spec, PipelineSpec):
            rows.append(_compile_row(spec.name, None, f"pipeline of {', '.join(spec.stages)}"))
            continue
        for arch in ("sm_80", "sm_90"):
            try:
                use = static_usage(spec, config or None, arch)
            except WarpbenchError as exc:
                rows.append(_compile_row(spec.name, arch, f"ERROR: {exc}"))
                continue
            rows.append(_compile_row(spec.name, arch, use.status, registers=use.registers,
                                     static_shared=use.static_shared, dynamic_shared=use.dynamic_shared,
                                     spill_bytes=use.spill_bytes, threads=use.threads_per_block,
                                     occupancy=use.occupancy.occupancy, limiter=use.occupancy.limiter))
    return rows


def handle(args) -> int:
    """Run the checks and print the rows; non-zero exit when anything fails."""
    from warpbench.kernels import select
    from warpbench.runtime import get_device
    specs = select(args.kernels)
    config = args.config
    resolve_config(specs, config)
    if args.list:
        rows, text, ok = list_rows(specs), list_table, True
    elif args.compile:
        rows = compile_rows(specs, config)
        text, ok = compile_table, all(r["status"] == "ok" or r["arch"] is None for r in rows)
    else:
        device = get_device(args.device)
        if args.schedules and not device.reorders_schedules:
            raise WarpbenchError(f"--schedules needs the emu device, which reorders threads and blocks "
                                 f"(got {device.kind})")
        rows = check_rows(device, specs, config, args.schedules)
        text, ok = check_table, all_passed(rows)
    if args.json:
        print_json(rows)
    else:
        print(text(rows))
    return 0 if ok else 1
