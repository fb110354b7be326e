"""``warpbench tune``: search a kernel's configurations, or ``--show`` what the database holds.

A run prints its table (best first, then failed, then pruned, each with its reason) and a
summary line; ``--json`` prints the rows instead, ``--export FILE`` writes Kernel Tuner's T4
JSON. On emu the objective column is ``model``, never ``time``, and the table adds the
model's counted inputs (global sectors, shared wavefronts, bank conflicts) and the pipe that
bounds each configuration.
"""
from __future__ import annotations

import argparse
import json
import sys

from warpbench.cli.args import (check_problem_fields, converter, device_kind, integer, literal_values,
                                report_folder, with_overrides)
from warpbench.cli.tables import print_json
from warpbench.errors import WarpbenchError


@converter
def seconds(text: str) -> float:
    """A positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def add_parser(sub) -> None:
    """Register the sub-command."""
    from warpbench.tune.strategies import STRATEGIES
    p = sub.add_parser("tune", help="tune a kernel's configurations: prune, verify, rank, store the best")
    p.add_argument("kernel", help="registry variant name")
    p.add_argument("--device", type=device_kind, help="cuda or emu (default: cuda if usable, else emu)")
    p.add_argument("--problem", type=literal_values, default={}, help="problem fields, e.g. rows=1024,cols=1024")
    p.add_argument("--strategy", choices=STRATEGIES, default="auto", help="search strategy (default: auto)")
    limit = p.add_mutually_exclusive_group()
    limit.add_argument("--budget", type=integer, help="configurations to evaluate, stored ones included")
    limit.add_argument("--time-limit", type=seconds, help="seconds for this run")
    p.add_argument("--parallel", metavar="ray[:ADDRESS]",
                   help="evaluate over a Ray cluster: CPUs compile and verify, one actor per GPU times")
    p.add_argument("--seed", type=integer, default=0, help="seed of the random and tpe strategies")
    p.add_argument("--show", action="store_true", help="print what the database holds for KERNEL; tune nothing")
    p.add_argument("--export", help="write the run(s) in Kernel Tuner's T4 JSON format to this file")
    p.add_argument("--plot", type=report_folder,
                   help="write SVG charts here: heatmap over two tunables, objective vs occupancy, speed-ups")
    p.add_argument("--json", action="store_true", help="print the rows as a JSON array instead of a table")
    p.set_defaults(handler=handle)


def _show(args) -> int:
    from warpbench.tune import export
    from warpbench.tune.database import TuneDatabase, database_path
    path = database_path()
    if not path.is_file():
        raise WarpbenchError(f"{args.kernel}: nothing tuned yet (no database at {path})")
    with TuneDatabase(path) as db:
        if db.notice:
            print(f"note: {db.notice}", file=sys.stderr)
        runs = [(key, db.evaluations(run)) for run, key in db.runs(args.kernel)]
    if not runs:
        raise WarpbenchError(f"{args.kernel}: no tuning run in {path}")
    _export(args, [export.to_t4(key, evaluations) for key, evaluations in runs])
    key, evaluations = max(runs, key=lambda run: len(run[1]))
    _plot(args, key, evaluations, path)
    if args.json:
        print_json([row for key, evaluations in runs for row in export.rows(key, evaluations)])
        return 0
    for key, evaluations in runs:
        print(f"{key.kernel} on {key.device} ({key.arch}), problem {key.problem}, {key.objective}, "
              f"{key.compiler}, source {key.source_hash}")
        print(export.table(key, evaluations, min((e for e in evaluations if e.usable), key=lambda e: e.value,
                                                 default=None)))
    return 0


def _plot(args, key, evaluations, database) -> None:
    if args.plot:
        from warpbench.tune.plots import device_gains, write_plots
        written = write_plots(args.plot, key, evaluations, device_gains(database, key.device, key.objective))
        print(f"plots: {', '.join(map(str, written)) or 'none (no correct configuration)'}", file=sys.stderr)


def _export(args, documents: list[dict]) -> None:
    if args.export:
        with open(args.export, "w") as f:
            json.dump(documents[0] if len(documents) == 1 else documents, f, indent=2)


def handle(args) -> int:
    """Tune (or show) and print the table; exit status 1 when no configuration is correct."""
    if args.show:
        return _show(args)
    from warpbench.kernels import get
    from warpbench.runtime import get_device
    from warpbench.tune.run import default_problem, tune
    spec, device = get(args.kernel), get_device(args.device)
    problem = default_problem(spec, device)
    if args.problem:
        check_problem_fields([spec.workload], args.problem)
        problem = with_overrides(device, spec.workload, problem, args.problem)
    result = tune(spec, problem, device=device, strategy=args.strategy, budget=args.budget,
                  time_limit=args.time_limit, seed=args.seed, parallel=args.parallel)
    _export(args, [result.to_t4()])
    _plot(args, result.key, result.evaluations, result.database)
    if args.json:
        print_json(result.rows())
    else:
        print(result.table())
        print(result.summary())
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if device.emulated:
        print(f"note: {device.kind} has no GPU: configurations are ranked by a model of the emulated GPU fed by "
              f"each one's counted memory traffic (warpbench.tune.model), not by time", file=sys.stderr)
    return 0 if result.best is not None else 1
