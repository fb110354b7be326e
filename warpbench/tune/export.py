"""A run's evaluations as rows, a table, Kernel Tuner's T4 JSON, or a pandas DataFrame."""
from __future__ import annotations

import datetime
import math

from warpbench.tune.database import RunKey
from warpbench.tune.record import FAILED, PRUNED, TIMED, VERIFIED, Evaluation

#: T4's invalidity for each status (``correct`` for the ranked ones).
_INVALIDITY = {PRUNED: "constraints", FAILED: "correctness", VERIFIED: "correct", TIMED: "correct"}
T4_SCHEMA_VERSION = "1.0.0"


def rows(key: RunKey, evaluations: list[Evaluation]) -> list[dict]:
    """One flat dict per configuration: kernel, config, status, the objective by name
    (``time`` or ``model``, seconds), median, IQR, samples, worst error, reason, resources."""
    return [{"kernel": key.kernel, "device": key.device, "problem": key.problem_dict, "config": dict(e.config),
             "status": e.status, key.objective: e.value, "median": e.median, "iqr": e.iqr,
             "samples": list(e.samples), "max_error": e.max_error, "reason": e.reason,
             "resources": dict(e.resources)} for e in evaluations]


def _value(value: float | None) -> str:
    return "" if value is None else f"{value * 1e6:.3f}"


def _error(value: float | None) -> str:
    return "" if value is None else ("inf" if math.isinf(value) else f"{value:.1e}")


def table(key: RunKey, evaluations: list[Evaluation], best: Evaluation | None = None) -> str:
    """The evaluations as a markdown table, best first among the ranked ones, then failed, then pruned."""
    from warpbench.bench.report.tables import table as markdown
    order = {VERIFIED: 0, TIMED: 0, FAILED: 1, PRUNED: 2}
    ranked = sorted(evaluations, key=lambda e: (order[e.status], e.value if e.value is not None else math.inf))
    body = []
    for e in ranked:
        occupancy = e.resources.get("occupancy")
        body.append([("* " if best is not None and e.key == best.key else "") + e.key, e.status, _value(e.value),
                     _value(e.iqr), e.resources.get("registers", ""),
                     "" if occupancy is None else f"{occupancy:.2f}", _error(e.max_error), e.reason])
    heads = ["config", "status", f"{key.objective} µs", "IQR µs", "regs", "occupancy", "max err", "reason"]
    return markdown(heads, body)


def to_t4(key: RunKey, evaluations: list[Evaluation]) -> dict:
    """The run in Kernel Tuner's T4 results format (times in milliseconds)."""
    results = []
    for e in evaluations:
        measurements = []
        if e.value is not None:
            measurements.append({"name": key.objective, "value": e.value * 1e3, "unit": "ms"})
        results.append({
            "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "configuration": dict(e.config),
            "times": {"runtimes": [s * 1e3 for s in e.samples], "benchmark_time": e.seconds * 1e3},
            "invalidity": _invalidity(e), "correctness": 0 if e.status == FAILED else 1,
            "measurements": measurements, "objectives": [key.objective],
            "warpbench": {"status": e.status, "reason": e.reason, "max_error": e.max_error,
                          "resources": e.resources}})
    return {"schema_version": T4_SCHEMA_VERSION, "metadata": {
        "kernel": key.kernel, "device": key.device, "arch": key.arch, "compiler": key.compiler,
        "problem": key.problem_dict, "dtype": key.dtype, "source_hash": key.source_hash}, "results": results}


def _invalidity(e: Evaluation) -> str:
    if e.status == FAILED and e.reason.startswith("compile"):
        return "compile"
    return _INVALIDITY[e.status]


def to_pandas(key: RunKey, evaluations: list[Evaluation]):
    """A DataFrame with one column per tunable and the status, objective, IQR, error and
    resources; ImportError when pandas is not installed."""
    import pandas
    flat = []
    for row in rows(key, evaluations):
        config, resources = row.pop("config"), row.pop("resources")
        row.pop("problem")
        flat.append({**config, **row, **{f"res_{name}": value for name, value in resources.items()}})
    return pandas.DataFrame(flat)
