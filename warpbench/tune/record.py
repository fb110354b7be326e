"""One configuration's outcome in a tuning run, as stored in the results database.

A configuration ends in one of four states: ``pruned`` (never run: a launch limit, ptxas's
registers, shared memory or spills, or an occupancy below the floor ruled it out, with the
reason), ``failed`` (it did not compile, did not launch, or computed a wrong answer: the
error and the worst error seen), ``verified`` (correct everywhere it was checked, ranked by
a model) or ``timed`` (correct and timed on a GPU).
"""
from __future__ import annotations

from dataclasses import dataclass, field

PRUNED, FAILED, VERIFIED, TIMED = "pruned", "failed", "verified", "timed"
STATUSES = (PRUNED, FAILED, VERIFIED, TIMED)


def config_label(config: dict) -> str:
    """``{"TILE": 32, "ROWS": 8}`` as ``TILE=32,ROWS=8`` (tunable order kept): the database key."""
    return ",".join(f"{name}={value}" for name, value in config.items())


@dataclass
class Evaluation:
    """What the tuner learned about one configuration.

    ``value`` is the objective (seconds per launch for ``time``, modelled seconds for
    ``model``), set only for verified and timed configurations; ``samples`` are every timed
    sample (seconds), ``median`` and ``iqr`` their summary; ``max_error`` the largest
    absolute error against the reference over every problem checked (inf when an output
    was never written); ``resources`` ptxas's registers, shared memory and spills and the
    theoretical occupancy; ``metrics`` the inputs of the ``model`` objective (the counted
    sectors, wavefronts and bank conflicts, each pipe's seconds, the efficiencies and the
    bounding pipe: :mod:`warpbench.tune.model`), empty when timed on a GPU.
    """

    config: dict
    status: str
    reason: str = ""
    value: float | None = None
    samples: tuple[float, ...] = ()
    median: float | None = None
    iqr: float | None = None
    max_error: float | None = None
    resources: dict = field(default_factory=dict)
    seconds: float = 0.0
    metrics: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The configuration as ``NAME=VALUE,...``."""
        return config_label(self.config)

    @property
    def usable(self) -> bool:
        """Whether this configuration may be chosen: correct and ranked."""
        return self.status in (VERIFIED, TIMED) and self.value is not None


def speedup(evaluations: list[Evaluation], default: dict) -> float | None:
    """The default configuration's objective over the best correct one's (None when either is missing)."""
    usable = [e for e in evaluations if e.usable]
    base = next((e for e in usable if e.config == default), None)
    best = min(usable, key=lambda e: e.value, default=None)
    return base.value / best.value if base and best and best.value else None
