"""Evaluating one configuration: prune on nvcc's resources, verify, then rank by the objective.

The steps in order (:mod:`warpbench.tune.prune`, :mod:`warpbench.tune.verify`, then
:mod:`warpbench.tune.objective` on a GPU or :mod:`warpbench.tune.model` on the emulator);
whatever goes wrong with a configuration is its failure, recorded with the error, and never
stops the run.
"""
from __future__ import annotations

import time
from typing import Iterator

from warpbench.config import debug
from warpbench.errors import WarpbenchError
from warpbench.tune.model import estimate
from warpbench.tune.objective import MODEL, time_seconds
from warpbench.tune.prune import Static, compile_all, nvcc_missing_reason, prune_reason, resource_fields
from warpbench.tune.record import FAILED, PRUNED, TIMED, VERIFIED, Evaluation
from warpbench.tune.verify import References, verification_problems, verify


class Evaluator:
    """Evaluates configurations of ``spec`` on ``device`` for ``problem``: nvcc on ``workers``
    threads, then pruning, verification and the objective, one configuration at a time."""

    def __init__(self, spec, device, problem, objective, floor, workers, seed):
        self.spec, self.device, self.problem, self.objective = spec, device, problem, objective
        self.props, self.floor, self.workers, self.seed = device.properties, floor, workers, seed
        self.references = References(spec, verification_problems(spec, problem), seed)
        self.nvcc_note = nvcc_missing_reason()

    def evaluations(self, batch: list[dict]) -> Iterator[Evaluation]:
        """Each configuration of ``batch`` evaluated, in order, as soon as it is known."""
        for config, static in zip(batch, self.statics(batch)):
            yield self.evaluate(config, static)

    def statics(self, batch: list[dict]) -> list[Static | None]:
        """nvcc's verdict on each configuration (None each without nvcc)."""
        if self.nvcc_note:
            return [None] * len(batch)
        return compile_all(self.spec, batch, self.props.arch, self.workers)

    def evaluate(self, config: dict, static: Static | None) -> Evaluation:
        """One configuration's outcome; any error of the configuration is its failure."""
        start = time.perf_counter()
        try:
            evaluation = self._evaluate(config, static)
        except WarpbenchError as exc:
            evaluation = Evaluation(config, FAILED, str(exc))
        except Exception as exc:  # noqa: BLE001 (a broken configuration must not end the run)
            evaluation = Evaluation(config, FAILED, f"{type(exc).__name__}: {exc}")
        evaluation.seconds = time.perf_counter() - start
        debug(1, f"tune {self.spec.name} {evaluation.key}: {evaluation.status} {evaluation.reason}")
        return evaluation

    def _evaluate(self, config: dict, static: Static | None) -> Evaluation:
        if static is not None and static.error:
            return Evaluation(config, FAILED, f"compile: {static.error}")
        resources = static.resources if static is not None else None
        fields = resource_fields(self.spec, config, self.problem, self.props, resources)
        reason = prune_reason(self.spec, config, self.problem, self.props, resources, self.floor)
        if reason:
            return Evaluation(config, PRUNED, reason, resources=fields)
        verdict = verify(self.device, self.spec, config, self.references, count_memory=self.objective == MODEL)
        if resources is None and verdict.kernel is not None:
            fields = resource_fields(self.spec, config, self.problem, self.props, None,
                                     getattr(verdict.kernel, "static_shared", 0))
        if not verdict.ok:
            return Evaluation(config, FAILED, verdict.message, max_error=verdict.max_error, resources=fields)
        if self.objective == MODEL:
            model = estimate(self.spec, self.problem, self.props, fields, verdict.counters)
            return Evaluation(config, VERIFIED, "", model.seconds, max_error=verdict.max_error, resources=fields,
                              metrics=model.inputs)
        measured = time_seconds(self.device, verdict.kernel, self.problem, self.seed)
        return Evaluation(config, TIMED, "", measured.median, measured.samples, measured.median,
                          measured.spread * measured.median, verdict.max_error, fields)
