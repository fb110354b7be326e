"""Parameter grids read from the kernel registry, shared by the asv suite and tests/benchmarks.

Variants come from the registry by workload, configurations from a spec's ``space()`` (its
candidates under its restrictions), so a new variant or candidate in a spec reaches the
benchmarks without editing them. A configuration travels as a label of the tunables it sets
over the spec's defaults ("TILE_DIM=16,BLOCK_ROWS=4", or "default"), which asv shows as the
parameter's value.
"""
from __future__ import annotations

from warpbench.kernels import get, variants_of

DEFAULT = "default"


def variant_names(workload: str, dtype: str | None = None) -> list[str]:
    """Names of the variants computing ``workload`` (those computing ``dtype`` when given)."""
    return [s.name for s in variants_of(workload) if dtype is None or dtype in s.dtypes]


def label(config: dict) -> str:
    """Tunable settings as "NAME=value,..." ("default" when there are none)."""
    return ",".join(f"{k}={v}" for k, v in config.items()) or DEFAULT


def overrides(label_text: str) -> dict[str, int]:
    """The settings a :func:`label` stands for, to apply over a spec's defaults."""
    if label_text == DEFAULT:
        return {}
    return {name: int(value) for name, value in (item.split("=") for item in label_text.split(","))}


def sweep(spec_name: str, *names: str) -> list[str]:
    """Labels of every configuration in the spec's space that varies only ``names`` (the other
    tunables at their defaults), each naming all of ``names``."""
    spec = get(spec_name)
    fixed = {k: v for k, v in spec.default_config.items() if k not in names}
    return [label({k: c[k] for k in names}) for c in spec.space() if all(c[k] == v for k, v in fixed.items())]


def neighbours(spec_name: str) -> list[str]:
    """Labels of the default configuration and of every configuration in the spec's space that
    changes exactly one tunable: a small, always valid grid around the defaults."""
    spec = get(spec_name)
    default = spec.default_config
    changes = [{k: v for k, v in c.items() if default[k] != v} for c in spec.space()]
    return [DEFAULT] + [label(change) for change in changes if len(change) == 1]
