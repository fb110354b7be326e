"""``tune()``: search a kernel's space of configurations for the fastest correct one.

For each configuration a strategy hands out: nvcc compiles it (in parallel over the batch)
and it is pruned with a stated reason (:mod:`warpbench.tune.prune`); what remains is
verified at the tuned problem and at the workload's awkward sizes with poisoned outputs
(:mod:`warpbench.tune.verify`) and, once correct, ranked by the device's objective
(:mod:`warpbench.tune.objective`). Every outcome is written to the results database as
soon as it is known, so a second run resumes; a wrong or broken configuration is recorded
as failed and the run goes on. The default configuration is evaluated first, so every
run can say how much the best one gains over it.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from warpbench.errors import ConfigError
from warpbench.kernels.spec import KernelSpec, PipelineSpec, Problem
from warpbench.tune import export
from warpbench.tune.database import RunKey, TuneDatabase
from warpbench.tune.evaluate import Evaluator
from warpbench.tune.identity import run_key
from warpbench.tune.objective import objective_for
from warpbench.tune.prune import OCCUPANCY_FLOOR
from warpbench.tune.ray_backend import RayEvaluator, parse_parallel
from warpbench.tune.record import FAILED, PRUNED, TIMED, VERIFIED, Evaluation, config_label, speedup
from warpbench.tune.strategies import AUTO_BRUTE_FORCE, make_strategy, pick


@dataclass
class TuneResult:
    """A finished run: every configuration of the run key in the database (``evaluations``,
    this run's and the stored ones), how many this run added (``new``) and what it noted."""

    key: RunKey
    strategy: str
    evaluations: list[Evaluation]
    default: dict
    new: int = 0
    notes: list[str] = field(default_factory=list)
    database: Path | None = None

    @property
    def objective(self) -> str:
        """``time`` (seconds on a GPU) or ``model`` (modelled seconds, no GPU)."""
        return self.key.objective

    def _with(self, *statuses) -> list[Evaluation]:
        return [e for e in self.evaluations if e.status in statuses]

    @property
    def pruned(self) -> list[Evaluation]:
        """Configurations ruled out before running, each with its reason."""
        return self._with(PRUNED)

    @property
    def failed(self) -> list[Evaluation]:
        """Configurations that did not compile, launch or compute the right answer."""
        return self._with(FAILED)

    @property
    def verified(self) -> list[Evaluation]:
        """Correct configurations, ranked (verified by a model, timed on a GPU)."""
        return self._with(VERIFIED, TIMED)

    @property
    def best(self) -> Evaluation | None:
        """The correct configuration with the lowest objective (None when none is correct)."""
        usable = [e for e in self.evaluations if e.usable]
        return min(usable, key=lambda e: e.value) if usable else None

    @property
    def speedup(self) -> float | None:
        """The default configuration's objective over the best one's (None when either is missing)."""
        return speedup(self.evaluations, self.default)

    def rows(self) -> list[dict]:
        """One dict per configuration (see :func:`warpbench.tune.export.rows`)."""
        return export.rows(self.key, self.evaluations)

    def table(self) -> str:
        """The configurations as a markdown table, the best one starred."""
        return export.table(self.key, self.evaluations, self.best)

    def to_t4(self) -> dict:
        """The run in Kernel Tuner's T4 JSON format."""
        return export.to_t4(self.key, self.evaluations)

    def to_pandas(self):
        """The run as a pandas DataFrame (ImportError without pandas)."""
        return export.to_pandas(self.key, self.evaluations)

    def summary(self) -> str:
        """One line: counts per status, the best configuration and its gain over the default."""
        best = self.best
        gain = f", {self.speedup:.2f}x the default" if self.speedup else ""
        shown = f"best {best.key} ({self.objective} {best.value * 1e6:.3f} µs{gain})" if best else "no correct config"
        return (f"{self.key.kernel} on {self.key.device}: {len(self.evaluations)} configs "
                f"({self.new} new, {len(self.evaluations) - self.new} from the database) with {self.strategy}: "
                f"{len(self.verified)} verified, {len(self.failed)} failed, {len(self.pruned)} pruned; {shown}")


def default_problem(spec: KernelSpec, device) -> dict:
    """The problem tuned when none is given: the workload's first benchmark problem on a GPU;
    on an emulator the largest check problem (by bytes moved) of the variant's first dtype."""
    workload = spec.workload
    if not device.emulated and workload.bench_problems:
        return dict(workload.bench_problems[0])
    dtype = spec.dtypes[0]
    candidates = [p for p in workload.check_problems if p.get("dtype", dtype) == dtype] or list(workload.check_problems)
    if not candidates:
        raise ConfigError(f"{spec.name}: no problem to tune at (the workload has no check problems); pass problem=")
    return dict(max(candidates, key=workload.bytes_moved))


def _spec_of(kernel) -> KernelSpec:
    from warpbench.kernels import get
    spec = get(kernel) if isinstance(kernel, str) else getattr(kernel, "spec", kernel)
    if isinstance(spec, PipelineSpec):
        raise ConfigError(f"{spec.name}: a pipeline is tuned stage by stage ({', '.join(spec.stages)})")
    if not isinstance(spec, KernelSpec):
        raise ConfigError(f"cannot tune {kernel!r}: expected a registry kernel name, a KernelSpec or a RawKernel")
    return spec


def tune(kernel, problem: Problem | None = None, *, device=None, strategy: str = "auto", budget: int | None = None,
         time_limit: float | None = None, objective: str | None = None, seed: int = 0,
         occupancy_floor: float = OCCUPANCY_FLOOR, workers: int | None = None,
         database: Path | str | None = None, parallel: str | None = None) -> TuneResult:
    """Tune ``kernel`` (a registry name, a KernelSpec or a RawKernel) on ``device`` (a name or a
    Device; default as :func:`warpbench.device`) for ``problem`` (fields over the default
    problem, :func:`default_problem`).

    ``strategy``: auto, brute_force, random or tpe (:mod:`warpbench.tune.strategies`);
    ``budget``: configurations in the database for this run key, stored ones included (a
    second call with the same budget resumes and adds only what is missing); ``time_limit``:
    seconds for this call; ``objective``: ``time`` (GPU) or ``model`` (emulator), default
    the device's; ``workers``: nvcc threads (default: CPU cores); ``database``: the SQLite
    file (default :func:`warpbench.tune.database.database_path`); ``parallel``: ``ray`` or
    ``ray:ADDRESS`` to evaluate over a Ray cluster (:mod:`warpbench.tune.ray_backend`).
    """
    from warpbench.runtime import get_device
    spec = _spec_of(kernel)
    device = get_device(device) if device is None or isinstance(device, str) else device
    if device.graph_placement is None:
        raise ConfigError(f"{spec.name}: device {device.kind} runs host code, which has no configurations to tune "
                          f"(tune on cuda or emu)")
    if budget is not None and budget < 1:
        raise ConfigError(f"{spec.name}: budget must be at least 1 configuration, got {budget}")
    if time_limit is not None and time_limit <= 0:
        raise ConfigError(f"{spec.name}: time limit must be positive, got {time_limit} s")
    workload = spec.workload
    known = workload.check_problems or workload.bench_problems
    problem = {**(default_problem(spec, device) if known or problem is None else {}), **dict(problem or {})}
    if "dtype" in problem:
        spec.check_dtype(problem["dtype"])
    objective = objective_for(device, objective)
    space = spec.space()
    if not space:
        raise ConfigError(f"{spec.name}: no configuration satisfies every restriction")
    name = pick(strategy, len(space), budget)
    notes = []
    if budget is None and time_limit is None and name != "brute_force":
        budget = AUTO_BRUTE_FORCE
        notes.append(f"{len(space)} configs and no budget: stopping after {budget} (pass budget= or time_limit=)")
    address = parse_parallel(parallel)
    tuner = Evaluator(spec, device, problem, objective, occupancy_floor, workers or os.cpu_count() or 1, seed)
    if address is not None:
        tuner = RayEvaluator(tuner, address)
    if tuner.nvcc_note:
        notes.append(tuner.nvcc_note)
    with TuneDatabase(database) as db:
        if db.notice:
            notes.append(db.notice)
        key = run_key(spec, device, problem, objective)
        run = db.run_id(key)
        stored = db.evaluations(run)
        done = {e.key: (e.value if e.usable else None) for e in stored}
        default = spec.resolve(None)
        first = [] if config_label(default) in done else [default]
        chooser = make_strategy(name, spec, space, {**done, config_label(default): None}, seed)
        new = _search(tuner, db, run, chooser, first, budget, time_limit, len(stored), notes)
        evaluations = db.evaluations(run)
    return TuneResult(key, name, evaluations, default, len(new), notes, db.path)


def _search(tuner, db, run, chooser, first, budget, time_limit, stored, notes) -> list[Evaluation]:
    start = time.perf_counter()
    new: list[Evaluation] = []
    batch_size = tuner.workers * 2 if chooser.name == "tpe" or time_limit else None
    while True:
        remaining = budget - stored - len(new) if budget is not None else None
        if remaining is not None and remaining <= 0:
            break
        size = min(x for x in (remaining, batch_size, 10**9) if x is not None)
        batch = first[:size] + chooser.next(size - len(first[:size]))
        first = []
        if not batch:
            break
        for evaluation in tuner.evaluations(batch):
            db.store(run, evaluation)
            chooser.tell(evaluation.config, evaluation.value if evaluation.usable else None)
            new.append(evaluation)
            if time_limit is not None and time.perf_counter() - start > time_limit:
                notes.append(f"time limit of {time_limit:g} s reached")
                return new
    return new
