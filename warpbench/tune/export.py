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
    (``time`` or ``model``, seconds), median, IQR, samples, worst error, reason, resources and
    the model's inputs (``metrics``: empty for ``time``)."""
    return [{"kernel": key.kernel, "device": key.device, "problem": key.problem_dict, "config": dict(e.config),
             "status": e.status, key.objective: e.value, "median": e.median, "iqr": e.iqr,
             "samples": list(e.samples), "max_error": e.max_error, "reason": e.reason,
             "resources": dict(e.resources), "metrics": dict(e.metrics)} for e in evaluations]


def _value(value: float | None) -> str:
    return "" if value is None else f"{value * 1e6:.3f}"


def _error(value: float | None) -> str:
    return "" if value is None else ("inf" if math.isinf(value) else f"{value:.1e}")


#: The model's inputs the table shows (column, key in ``Evaluation.metrics``).
MODEL_COLUMNS = (("sectors", "sectors"), ("wavefronts", "wavefronts"), ("conflicts", "bank_conflicts"),
                 ("bound", "bound"))


def table(key: RunKey, evaluations: list[Evaluation], best: Evaluation | None = None) -> str:
    """The evaluations as a markdown table, best first among the ranked ones, then failed, then
    pruned; the model's counted inputs and bounding pipe when any configuration has them."""
    from warpbench.bench.report.tables import table as markdown
    order = {VERIFIED: 0, TIMED: 0, FAILED: 1, PRUNED: 2}
    ranked = sorted(evaluations, key=lambda e: (order[e.status], e.value if e.value is not None else math.inf))
    shown = MODEL_COLUMNS if any(e.metrics for e in evaluations) else ()
    body = []
    for e in ranked:
        occupancy = e.resources.get("occupancy")
        body.append([("* " if best is not None and e.key == best.key else "") + e.key, e.status, _value(e.value),
                     _value(e.iqr), e.resources.get("registers", ""),
                     "" if occupancy is None else f"{occupancy:.2f}",
                     *(e.metrics.get(name, "") for _, name in shown), _error(e.max_error), e.reason])
    heads = ["config", "status", f"{key.objective} µs", "IQR µs", "regs", "occupancy",
             *(head for head, _ in shown), "max err", "reason"]
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
                          "resources": e.resources, "metrics": e.metrics}})
    return {"schema_version": T4_SCHEMA_VERSION, "metadata": {
        "kernel": key.kernel, "device": key.device, "arch": key.arch, "compiler": key.compiler,
        "problem": key.problem_dict, "dtype": key.dtype, "source_hash": key.source_hash}, "results": results}


def _invalidity(e: Evaluation) -> str:
    if e.status == FAILED and e.reason.startswith("compile"):
        return "compile"
    return _INVALIDITY[e.status]


def to_pandas(key: RunKey, evaluations: list[Evaluation]):
    """A DataFrame with one column per tunable and the status, objective, IQR, error,
    resources (``res_*``) and the model's inputs (``model_*``); ImportError when pandas is not
    installed."""
    import pandas
    flat = []
    for row in rows(key, evaluations):
        config, resources, metrics = row.pop("config"), row.pop("resources"), row.pop("metrics")
        row.pop("problem")
        flat.append({**config, **row, **{f"res_{name}": value for name, value in resources.items()},
                     **{f"model_{name}": value for name, value in metrics.items()}})
    return pandas.DataFrame(flat)
