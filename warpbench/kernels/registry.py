"""The kernel registry: every KernelSpec, looked up by name or by family.

Family modules under ``warpbench.kernels.specs`` register their variants when first
imported; lookups import them on demand so that ``import warpbench`` stays cheap.
"""
from __future__ import annotations

import importlib
import sys

from warpbench.errors import UnknownNameError
from warpbench.kernels.spec import KernelSpec

_SPECS: dict[str, KernelSpec] = {}
_FAMILY: dict[str, str] = {}
_loaded = False


def register(spec: KernelSpec) -> KernelSpec:
    """Add ``spec``; a second variant with the same name is a programming error.

    Its family is the ``warpbench.kernels.specs`` module (or package) that calls this, so a
    family importing another (conv2d uses gemm's kernels) does not adopt its variants.
    """
    if spec.name in _SPECS:
        raise ValueError(f"kernel {spec.name!r} registered twice")
    caller = sys._getframe(1).f_globals.get("__name__", "")
    prefix = "warpbench.kernels.specs."
    _FAMILY[spec.name] = caller[len(prefix):].split(".")[0] if caller.startswith(prefix) else caller
    _SPECS[spec.name] = spec
    return spec


def _load() -> None:
    global _loaded
    if not _loaded:
        from warpbench.kernels.specs import FAMILIES
        for family in FAMILIES:
            importlib.import_module(f"warpbench.kernels.specs.{family}")
        _loaded = True


def family_of(spec: KernelSpec) -> str:
    """The family (spec module) that registered ``spec``, e.g. "lstm" for ``lstm_cell``."""
    _load()
    return _FAMILY[spec.name]


def all_specs() -> list[KernelSpec]:
    """Every registered variant, in registration order."""
    _load()
    return list(_SPECS.values())


def get(name: str) -> KernelSpec:
    """The variant called ``name``; UnknownNameError suggests close names."""
    _load()
    if name in _SPECS:
        return _SPECS[name]
    import difflib
    close = difflib.get_close_matches(name, list(_SPECS), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else " (see `warpbench check --list`)"
    raise UnknownNameError(f"unknown kernel {name!r}{hint}")


def select(names: list[str] | tuple[str, ...] = ()) -> list[KernelSpec]:
    """Variants matching ``names``: a variant, a workload (``gemm``) or a family module
    (``lstm``, which holds several workloads); all when empty."""
    specs = all_specs()
    if not names:
        return specs
    chosen: list[KernelSpec] = []
    for name in names:
        matches = [s for s in specs if name in (s.name, s.workload.name, _FAMILY[s.name])]
        if not matches:
            get(name)
        chosen += [s for s in matches if s not in chosen]
    return chosen


def variants_of(workload: str) -> list[KernelSpec]:
    """Every variant computing the workload called ``workload`` (exactly that workload)."""
    found = [s for s in all_specs() if s.workload.name == workload]
    if not found:
        raise UnknownNameError(f"unknown workload {workload!r} (workloads: "
                               f"{', '.join(sorted({s.workload.name for s in all_specs()}))})")
    return found


def get_workload(name: str):
    """The Workload called ``name``."""
    return variants_of(name)[0].workload
