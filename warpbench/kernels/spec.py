"""What a kernel variant declares: the single source for checks, benchmarks, tuning and the CLI.

A :class:`Workload` describes one operation independently of how it is computed: its
parameters, how to build inputs for a problem, the NumPy reference, the cost model and
the awkward problems it is checked at. A :class:`KernelSpec` is one CUDA variant of a
workload: the source file and entry point, its tunables (``#define`` macros, Kernel Tuner
style), restrictions on them and the launch geometry for a problem and configuration.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from warpbench.ctype import value_dtype
from warpbench.errors import ConfigError, DTypeError, UnknownNameError

Problem = Mapping[str, Any]
Config = Mapping[str, int]

IN, OUT, INOUT, SCALAR = "in", "out", "inout", "scalar"


@dataclass(frozen=True)
class Param:
    """One kernel parameter: its name, C type and role.

    The C type is concrete (``"const float*"``, ``"int"``) or generic over the problem's
    dtype with ``T`` as in CuPy (``"T*"``, ``"const T*"``, ``"T"``).
    """

    name: str
    ctype: str
    role: str = SCALAR

    @property
    def is_pointer(self) -> bool:
        """True for buffer parameters."""
        return self.ctype.endswith("*")

    @property
    def base_type(self) -> str:
        """The C type without ``const`` and ``*``."""
        return self.ctype.replace("const", "").replace("*", "").strip()

    @property
    def is_generic(self) -> bool:
        """True when the type is the problem's dtype (``T``)."""
        return self.base_type == "T"

    def dtype(self, problem: Problem) -> np.dtype:
        """NumPy dtype of the element (pointers) or of the value (scalars) for ``problem``."""
        if self.is_generic:
            return np.dtype(problem["dtype"])
        return value_dtype(self.base_type)


@dataclass(frozen=True)
class Tunable:
    """A ``#define`` the kernel reads, with its candidate values and default."""

    name: str
    values: tuple[int, ...]
    default: int

    def __post_init__(self):
        if self.default not in self.values:
            raise ValueError(f"tunable {self.name}: default {self.default} not in {self.values}")


@dataclass(frozen=True)
class Restriction:
    """A rule over a configuration, with the text shown when it is broken."""

    text: str
    holds: Callable[[Config], bool]


@dataclass(frozen=True)
class Launch:
    """Grid, block and dynamic shared memory bytes of one launch."""

    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    shared: int = 0

    @property
    def threads_per_block(self) -> int:
        """Threads in one block."""
        return self.block[0] * self.block[1] * self.block[2]


def launch(grid, block, shared: int = 0) -> Launch:
    """Build a :class:`Launch`, padding grid and block to three dimensions."""
    def dim3(v):
        v = (v,) if isinstance(v, int) else tuple(int(x) for x in v)
        return v + (1,) * (3 - len(v))
    return Launch(dim3(grid), dim3(block), int(shared))


def cdiv(a: int, b: int) -> int:
    """Ceiling division, the usual grid-size helper."""
    return -(-a // b)


@dataclass(frozen=True)
class Workload:
    """An operation with its parameters, inputs, NumPy reference and cost model.

    A problem is a dict: sizes, scalar parameter values by name (``n``, ``a``, ``alpha``…)
    and ``dtype`` for workloads generic over it.
    ``make_inputs(problem, rng)`` returns host arrays for every IN/INOUT parameter;
    ``output_shapes(problem)`` the (shape, dtype) of every OUT/INOUT buffer;
    ``reference(problem, inputs)`` the expected OUT/INOUT arrays;
    ``problem_of(arrays, scalars)`` derives and validates the problem from user arrays and
    scalars (ShapeError/DTypeError naming the workload and the values);
    ``flops``/``bytes_moved`` the cost model; ``host(problem, inputs, outputs)`` the CPU
    (host-code) implementation, writing into the given output arrays; ``numpy(problem,
    inputs)`` idiomatic NumPy in the problem's own dtype, the CPU speed baseline (the
    reference may compute in float64 for accuracy, which is not a fair race).
    """

    name: str
    params: tuple[Param, ...]
    make_inputs: Callable[[Problem, np.random.Generator], dict]
    output_shapes: Callable[[Problem], dict]
    reference: Callable[[Problem, dict], dict]
    problem_of: Callable[[dict], dict]
    flops: Callable[[Problem], float]
    bytes_moved: Callable[[Problem], float]
    check_problems: tuple[Problem, ...]
    bench_problems: tuple[Problem, ...]
    describe: Callable[[Problem], str]
    host: Callable[[Problem, dict, dict], None] | None = None
    tolerance: Callable[[Problem], tuple[float, float]] = lambda p: (1e-5, 1e-5)
    numpy: Callable[[Problem, dict], dict] | None = None

    def numpy_baseline(self, problem: Problem, inputs: dict) -> dict:
        """The NumPy speed baseline's outputs (the reference when no baseline is declared)."""
        return (self.numpy or self.reference)(problem, inputs)

    def param(self, name: str) -> Param:
        """The parameter called ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        raise UnknownNameError(f"{self.name}: no parameter {name!r}")

    @property
    def input_names(self) -> tuple[str, ...]:
        """Buffer parameters the caller provides: read-only ones first, then the ones the kernel
        also writes (BLAS order: gemm takes A, B, then C)."""
        return (tuple(p.name for p in self.params if p.role == IN)
                + tuple(p.name for p in self.params if p.role == INOUT))

    @property
    def output_names(self) -> tuple[str, ...]:
        """Buffer parameters the kernel writes (OUT and INOUT)."""
        return tuple(p.name for p in self.params if p.role in (OUT, INOUT))


class Variant:
    """What every registry variant offers: configurations, restrictions and the dtype check."""

    @property
    def default_config(self) -> dict[str, int]:
        """Every tunable at its default value."""
        return {t.name: t.default for t in self.tunables}

    def resolve(self, config: Config | None = None) -> dict[str, int]:
        """Fill ``config`` with defaults and check names and restrictions.

        Raises ConfigError naming the kernel, the offending values and the broken rule.
        """
        names = {t.name for t in self.tunables}
        unknown = sorted(set(config or {}) - names)
        if unknown:
            known = ", ".join(sorted(names)) or "none"
            raise UnknownNameError(f"{self.name}: unknown tunable {', '.join(unknown)} (tunables: {known})")
        full = {**self.default_config, **{k: int(v) for k, v in (config or {}).items()}}
        for rule in self.restrictions:
            if not rule.holds(full):
                shown = ", ".join(f"{k}={v}" for k, v in full.items())
                raise ConfigError(f"{self.name}: config {shown} breaks restriction '{rule.text}'")
        return full

    def check_dtype(self, dtype) -> None:
        """Raise DTypeError when this variant does not compute ``dtype``."""
        name = np.dtype(dtype).name
        if name not in self.dtypes:
            raise DTypeError(f"{self.name}: dtype {name} not supported ({', '.join(self.dtypes)})")

    def space(self) -> list[dict[str, int]]:
        """Every configuration of the tunables' cartesian product that satisfies the restrictions."""
        configs: list[dict[str, int]] = [{}]
        for t in self.tunables:
            configs = [{**c, t.name: v} for c in configs for v in t.values]
        return [c for c in configs if all(r.holds(c) for r in self.restrictions)]


@dataclass(frozen=True)
class KernelSpec(Variant):
    """One CUDA kernel variant of a workload."""

    name: str
    workload: Workload
    source: str
    entry: str
    geometry: Callable[[Problem, Config, Any], Launch]
    tunables: tuple[Tunable, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    emulable: bool = True
    summary: str = ""
    dtypes: tuple[str, ...] = ("float32",)
    extra_defines: Mapping[str, int] = field(default_factory=dict)

    def defines(self, config: Config) -> dict[str, int]:
        """The ``-D`` macros for ``config`` (tunables plus fixed defines of this variant)."""
        return {**self.extra_defines, **config}


@dataclass(frozen=True)
class PipelineSpec(Variant):
    """A variant computed by several registry kernels launched from the host.

    ``run(ctx, problem, buffers, config)`` launches the stages through ``ctx`` (a
    :class:`warpbench.runtime.base.PipelineKernel`: ``ctx.kernel(name, config)`` compiles a
    stage, ``ctx.scratch(key, shape, dtype)`` gives a reusable temporary buffer).
    ``stages`` names the registry kernels it launches, for ``check --compile``.
    """

    name: str
    workload: Workload
    run: Callable[[Any, Problem, dict, Config], None]
    stages: tuple[str, ...]
    tunables: tuple[Tunable, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    summary: str = ""
    dtypes: tuple[str, ...] = ("float32",)
    emulable: bool = True
