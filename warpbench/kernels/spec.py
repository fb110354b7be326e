"""What a kernel variant declares: the single source for checks, benchmarks, tuning and the CLI.

A :class:`Workload` describes one operation independently of how it is computed: its
parameters, how to build inputs for a problem, the NumPy reference, the cost model and
the awkward problems it is checked at. A :class:`KernelSpec` is one CUDA variant of a
workload: the source file and entry point, its tunables (``#define`` macros, Kernel Tuner
style), restrictions on them (one expression each, see :mod:`warpbench.kernels.restriction`)
and the launch geometry for a problem and configuration.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from warpbench.ctype import value_dtype
from warpbench.errors import ConfigError, DTypeError, UnknownNameError
from warpbench.kernels.restriction import Restriction

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
    """A ``#define`` the kernel reads, with its candidate values and default.

    The spec is the one home of both: every compile passes the whole resolved configuration
    as ``-D`` macros; the ``#ifndef`` fallbacks in the ``.cu`` only let it compile on its own
    and must equal ``default`` (a test keeps them in step).
    """

    name: str
    values: tuple[int, ...]
    default: int

    def __post_init__(self):
        if not self.name.isidentifier():
            raise ConfigError(f"tunable {self.name!r}: not a C macro name")
        if not self.values or not all(_is_integer(v) for v in self.values):
            raise ConfigError(f"tunable {self.name}: candidates {self.values} must be one or more integers")
        if self.default not in self.values:
            raise ConfigError(f"tunable {self.name}: default {self.default} not in {self.values}")


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
    reference may compute in float64 for accuracy, which is not a fair race); ``accept(expected,
    got)``, when given, decides whether the outputs (dicts by name) are correct instead of the
    elementwise tolerance (Kernel Tuner's ``verify``).
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
    accept: Callable[[dict, dict], bool] | None = None

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


def _is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _shown(config: Config) -> str:
    return ", ".join(f"{k}={v}" for k, v in config.items())


class Variant:
    """What every registry variant offers: configurations, restrictions and the dtype check.

    Restrictions may be given as :class:`Restriction` or as plain strings (Kernel Tuner style);
    each must read only the variant's tunables, which is checked when the variant is defined.
    """

    def __post_init__(self):
        rules = tuple(r if isinstance(r, Restriction) else Restriction(r) for r in self.restrictions)
        object.__setattr__(self, "restrictions", rules)
        names = [t.name for t in self.tunables]
        if len(set(names)) != len(names):
            raise ConfigError(f"{self.name}: tunables {', '.join(names)} repeat a name")
        for rule in rules:
            unknown = sorted(rule.names - set(names))
            if unknown:
                raise UnknownNameError(f"{self.name}: restriction '{rule.text}' reads {', '.join(unknown)}, "
                                       f"not a tunable (tunables: {', '.join(names) or 'none'})")

    @property
    def default_config(self) -> dict[str, int]:
        """Every tunable at its default value."""
        return {t.name: t.default for t in self.tunables}

    def tunable(self, name: str) -> Tunable:
        """The tunable called ``name``."""
        for t in self.tunables:
            if t.name == name:
                return t
        raise UnknownNameError(f"{self.name}: no tunable {name!r} "
                               f"(tunables: {', '.join(t.name for t in self.tunables) or 'none'})")

    def resolve(self, config: Config | None = None) -> dict[str, int]:
        """Fill ``config`` with defaults and check names, values and restrictions.

        As in Kernel Tuner, a value need not be one of the tunable's candidates: any integer is
        accepted when every restriction holds (the candidates only span :meth:`space`, what
        the tuner searches). UnknownNameError for an unknown tunable; ConfigError naming the
        kernel, tunable and value for a value that is not an integer (16.5, "16", True), and
        naming the kernel, the values and the rule as written for a broken restriction.
        """
        names = {t.name for t in self.tunables}
        unknown = sorted(set(config or {}) - names)
        if unknown:
            known = ", ".join(sorted(names)) or "none"
            raise UnknownNameError(f"{self.name}: unknown tunable {', '.join(unknown)} (tunables: {known})")
        for name, value in (config or {}).items():
            if not _is_integer(value):
                raise ConfigError(f"{self.name}: tunable {name} must be an integer, got {value!r}")
        full = {**self.default_config, **{k: int(v) for k, v in (config or {}).items()}}
        for rule in self.restrictions:
            if not self._holds(rule, full):
                raise ConfigError(f"{self.name}: config {_shown(full)} breaks restriction {rule}")
        return full

    def _holds(self, rule: Restriction, config: Config) -> bool:
        try:
            return rule.holds(config)
        except ArithmeticError as exc:
            raise ConfigError(f"{self.name}: config {_shown(config)} makes restriction '{rule.text}' "
                              f"fail: {exc}") from None

    def check_dtype(self, dtype) -> None:
        """Raise DTypeError when this variant does not compute ``dtype``."""
        name = np.dtype(dtype).name
        if name not in self.dtypes:
            raise DTypeError(f"{self.name}: dtype {name} not supported ({', '.join(self.dtypes)})")

    def space(self) -> list[dict[str, int]]:
        """Every configuration of the tunables' candidates that satisfies the restrictions.

        The first tunable varies slowest. Each restriction is applied as soon as the tunables
        it reads are set, which prunes large products early.
        """
        configs: list[dict[str, int]] = [{}]
        bound: set[str] = set()
        pending = list(self.restrictions)
        for t in (None, *self.tunables):
            if t is not None:
                configs = [{**c, t.name: v} for c in configs for v in t.values]
                bound.add(t.name)
            ready = [r for r in pending if r.names <= bound]
            pending = [r for r in pending if r not in ready]
            configs = [c for c in configs if all(self._holds(r, c) for r in ready)]
        return configs


@dataclass(frozen=True)
class KernelSpec(Variant):
    """One CUDA kernel variant of a workload.

    ``source`` is a file name under ``warpbench/kernels/cuda/``, or, when ``code`` holds the
    source text of a user kernel (:mod:`warpbench.kernels.user`), only the name it is
    saved and shown under; both compile the same way (:func:`warpbench.kernels.source.source_file`).
    """

    name: str
    workload: Workload
    source: str
    entry: str
    geometry: Callable[[Problem, Config, Any], Launch]
    tunables: tuple[Tunable, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    summary: str = ""
    dtypes: tuple[str, ...] = ("float32",)
    extra_defines: Mapping[str, int] = field(default_factory=dict)
    code: str | None = None

    def __hash__(self):
        # The generated hash would cover the workload's problem dicts and fail; these
        # fields identify a variant (an op may hold its spec among its __props__).
        return hash((self.name, self.source, self.entry, self.code))

    def defines(self, config: Config | None = None) -> dict[str, int]:
        """The ``-D`` macros for ``config``: every tunable, resolved (defaults filled in and
        restrictions checked), plus the fixed defines of this variant."""
        return {**self.extra_defines, **self.resolve(config)}


@dataclass(frozen=True)
class PipelineSpec(Variant):
    """A variant computed by several registry kernels launched from the host.

    ``run(ctx, problem, buffers, config)`` launches the stages through ``ctx`` (a
    :class:`warpbench.runtime.kernel.PipelineKernel`: ``ctx.kernel(name, config)`` compiles a
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
