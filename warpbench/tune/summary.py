"""What the results database holds for one device, per kernel: what reports and charts show.

Of each kernel tuned on the device, the stored run with the most configurations is taken
(the same rule as ``warpbench tune --plot``), with its key, every evaluation, the registry's
default configuration (for the speed-up) and whether the kernel's source has changed since.
Reading never creates the database: without the file there is simply nothing tuned. Only
the database's own API (:class:`~warpbench.tune.database.TuneDatabase`) is used, so columns
added to its tables later are ignored here.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warpbench.errors import UnknownNameError
from warpbench.tune.database import RunKey, TuneDatabase, database_path
from warpbench.tune.record import FAILED, PRUNED, Evaluation, speedup


@dataclass(frozen=True)
class KernelRun:
    """One kernel's stored run on a device; ``default`` is None for a kernel outside the
    registry, ``stale`` True when the registry source no longer hashes to the run's."""

    key: RunKey
    evaluations: list[Evaluation]
    default: dict | None = None
    stale: bool = False

    @property
    def best(self) -> Evaluation | None:
        """The correct configuration with the lowest objective (None when none is correct)."""
        return min((e for e in self.evaluations if e.usable), key=lambda e: e.value, default=None)

    @property
    def default_evaluation(self) -> Evaluation | None:
        """The default configuration's evaluation, when it was evaluated and is correct."""
        return next((e for e in self.evaluations if e.usable and e.config == self.default), None)

    @property
    def speedup(self) -> float | None:
        """The default configuration's objective over the best one's (None when either is missing)."""
        return None if self.default is None else speedup(self.evaluations, self.default)

    def count(self, status: str) -> int:
        """How many configurations ended in ``status`` (verified and timed both count as ranked)."""
        ranked = status not in (PRUNED, FAILED)
        return sum(1 for e in self.evaluations if (e.usable if ranked else e.status == status))


@dataclass(frozen=True)
class DeviceTuning:
    """Every kernel's stored run on one device (``device`` as run keys name it)."""

    device: str
    kind: str
    objective: str
    database: Path
    runs: list[KernelRun]

    @property
    def hint(self) -> str:
        """What to run when the database holds nothing for this device."""
        return (f"No tuning runs of these kernels on {self.device} in {self.database}; to make one: "
                f"warpbench tune KERNEL --device {self.kind}")


def _registry_facts(kernel: str, key: RunKey) -> tuple[dict | None, bool]:
    from warpbench.kernels import get
    from warpbench.tune.identity import source_hash
    try:
        spec = get(kernel)
    except UnknownNameError:   # a tune_kernel kernel: no registry default to compare with
        return None, False
    return spec.default_config, source_hash(spec) != key.source_hash


def device_runs(device: str, database: Path | str | None = None, objective: str | None = None,
                kernels=None) -> list[KernelRun]:
    """Per kernel tuned on ``device`` (by ``objective``; among ``kernels`` when given), the
    run with the most configurations, by kernel name; [] when the database file does not exist."""
    path = Path(database) if database is not None else database_path()
    if not path.is_file():
        return []
    wanted = None if kernels is None else set(kernels)
    chosen: dict[str, tuple[RunKey, list[Evaluation]]] = {}
    with TuneDatabase(path) as db:
        for run, key in db.runs():
            if key.device != device or (objective and key.objective != objective):
                continue
            if wanted is not None and key.kernel not in wanted:
                continue
            evaluations = db.evaluations(run)
            if len(evaluations) > len(chosen.get(key.kernel, (None, []))[1]):
                chosen[key.kernel] = (key, evaluations)
    return [KernelRun(key, evaluations, *_registry_facts(kernel, key))
            for kernel, (key, evaluations) in sorted(chosen.items())]


def device_tuning(device, database: Path | str | None = None, kernels=None) -> DeviceTuning:
    """What the database holds for the Device ``device`` by the objective it ranks by (see
    :func:`device_runs`)."""
    from warpbench.tune.identity import device_label
    from warpbench.tune.objective import objective_for
    objective, label = objective_for(device, None), device_label(device)
    path = Path(database) if database is not None else database_path()
    return DeviceTuning(label, device.kind, objective, path, device_runs(label, path, objective, kernels))
