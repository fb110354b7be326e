"""Launch configurations across the networks: one network step under each candidate config of
its dominant kernels.

The dominant kernels of a phase are the registry variants its device nodes launch whose
workload is a GEMM, a convolution or an LSTM and which have more than one configuration
(found in the compiled function, not assumed). Each is varied one tunable at a time around
its defaults (every candidate value the restrictions accept, at most ``limit`` per kernel)
while the other dominant kernels keep their defaults, through
:func:`warpbench.tune.best.pinned_configs`; a fresh network is built and called under each.
The rows are: "default" (every dominant kernel at its defaults), one per candidate, and
"tuned" (no pin: what ``device.compile`` takes, i.e. the tuner's configs) when the tuner has a
config for one of them on this device.
"""
from __future__ import annotations

from dataclasses import dataclass

from warpbench.bench.networks import BOOK_BATCH, device_of, network_step
from warpbench.bench.report.tables import fmt_seconds, table
from warpbench.kernels.spec import Variant
from warpbench.tune.best import pinned_configs, tuned_config

DOMINANT_WORKLOADS = ("gemm", "conv", "lstm")
LIMIT = 6


@dataclass
class ConfigRow:
    """One network step timed under one configuration of one kernel (``kernel`` None: all defaults or tuned)."""

    network: str
    phase: str
    device: str
    label: str
    kernel: str | None
    config: dict
    seconds: float


def launched_variants(step) -> list[Variant]:
    """The registry variants the device nodes of ``step``'s compiled phase launch, in graph order."""
    function = step.network.functions[step.phase]
    found = {}
    for graph_step in function.vm.steps:
        if graph_step.kernel is not None and hasattr(graph_step.kernel, "spec"):
            found.setdefault(graph_step.kernel.spec.name, graph_step.kernel.spec)
    return list(found.values())


def dominant_variants(step) -> list[Variant]:
    """The launched variants that are GEMMs, convolutions or LSTMs with more than one config."""
    return [spec for spec in launched_variants(step)
            if any(word in spec.workload.name for word in DOMINANT_WORKLOADS) and len(spec.space()) > 1]


def candidate_configs(spec: Variant, limit: int = LIMIT) -> list[dict]:
    """Configs of ``spec`` differing from its defaults in one tunable, restrictions holding, at most ``limit``."""
    space = {tuple(sorted(c.items())) for c in spec.space()}
    default = spec.default_config
    found = []
    for tunable in spec.tunables:
        for value in tunable.values:
            config = {**default, tunable.name: value}
            if value != default[tunable.name] and tuple(sorted(config.items())) in space:
                found.append(config)
    return found[:limit]


def _timed(name: str, kind: str, phase: str, batch: int, pins: dict, sizes: dict | None, repeat: int) -> float:
    with pinned_configs(pins):
        step = network_step(name, kind, phase, batch, sizes=sizes)
    return step.measure(repeat=repeat).median


def sweep_configs(name: str, kind: str = "cuda", phase: str = "train_step", batch: int | None = None,
                  sizes: dict | None = None, limit: int = LIMIT, repeat: int = 10) -> list[ConfigRow]:
    """The rows described in the module docstring for ``phase`` of network ``name`` on ``kind``."""
    batch = batch or BOOK_BATCH.get(name)
    device = device_of(kind)
    probe = network_step(name, kind, phase, batch, sizes=sizes)
    dominant = dominant_variants(probe)
    defaults = {spec.name: spec.default_config for spec in dominant}

    def row(label, kernel, config, pins):
        return ConfigRow(name, phase, kind, label, kernel, config,
                         _timed(name, kind, phase, batch, pins, sizes, repeat))

    rows = [row("default", None, {}, defaults)]
    for spec in dominant:
        for config in candidate_configs(spec, limit):
            shown = ",".join(f"{k}={v}" for k, v in config.items() if v != spec.default_config[k])
            rows.append(row(f"{spec.name} {shown}", spec.name, config, {**defaults, spec.name: config}))
    tuned = {spec.name: tuned_config(device, spec) for spec in dominant}
    if any(tuned.values()):
        rows.append(row("tuned", None, {k: v for k, v in tuned.items() if v}, {}))
    return rows


def config_table(rows: list[ConfigRow]) -> str:
    """A Markdown table: one line per configuration, with its time relative to the defaults."""
    default = next((r.seconds for r in rows if r.label == "default"), None)
    return table(["network", "phase", "device", "configuration", "step time", "vs default"],
                 [[r.network, r.phase, r.device, r.label, fmt_seconds(r.seconds),
                   f"{default / r.seconds:.2f}x" if default else "-"] for r in rows])


def config_chart(rows: list[ConfigRow]) -> str:
    """Horizontal bars of step time per configuration (SVG text), the defaults' time marked."""
    from warpbench.bench.report.charts import _pyplot, to_svg
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(rows) + 1.2))
    positions = list(range(len(rows)))[::-1]
    colors = ["#8c8c8c" if r.label == "default" else "#2a9d8f" if r.label == "tuned" else "#4c72b0" for r in rows]
    ax.barh(positions, [r.seconds * 1e3 for r in rows], color=colors)
    ax.axvline(rows[0].seconds * 1e3, color="#c44e52", linewidth=0.8)
    ax.set_yticks(positions, [r.label for r in rows], fontsize=6)
    ax.set_xlabel(f"{rows[0].network} {rows[0].phase} on {rows[0].device}: ms per step")
    ax.grid(axis="x", alpha=0.3)
    return to_svg(fig)
