"""What a variant costs an SM, known from nvcc alone: registers, spills, shared memory and the
theoretical occupancy they allow on an architecture. No GPU is needed, so this is what a
machine without one can track for every registry kernel (the asv ``KernelResources`` suite).
"""
from __future__ import annotations

from dataclasses import dataclass

from warpbench.kernels.compile import compile_cubin
from warpbench.kernels.occupancy import Occupancy, occupancy
from warpbench.kernels.spec import KernelSpec, Problem
from warpbench.runtime.properties import arch_properties


@dataclass(frozen=True)
class StaticUsage:
    """One variant under one config for one architecture, launched for one problem."""

    kernel: str
    arch: str
    registers: int
    spill_bytes: int
    static_shared: int
    dynamic_shared: int
    threads_per_block: int
    occupancy: Occupancy

    @property
    def status(self) -> str:
        """``ok``, or ``SPILLS <n> B`` when ptxas spilled to local memory."""
        return "ok" if self.spill_bytes == 0 else f"SPILLS {self.spill_bytes} B"


def static_usage(spec: KernelSpec, config: dict | None = None, arch: str = "sm_90",
                 problem: Problem | None = None) -> StaticUsage:
    """nvcc's resources for ``spec`` under ``config`` (defaults filled in) on ``arch``, and the
    occupancy of its launch for ``problem`` (default: the workload's first benchmark problem).

    ToolMissing without nvcc, CompileError when nvcc fails, ConfigError for a bad config.
    """
    resolved = spec.resolve(config)
    props = arch_properties(arch)
    module = compile_cubin(spec.source, spec.defines(resolved), arch=arch, kernel=spec.name)
    res = module.resources[spec.entry]
    problem = problem if problem is not None else spec.workload.bench_problems[0]
    lau = spec.geometry(problem, resolved, props)
    occ = occupancy(props, lau.threads_per_block, res.registers, res.shared_static + lau.shared)
    return StaticUsage(spec.name, arch, res.registers, res.spills, res.shared_static, lau.shared,
                       lau.threads_per_block, occ)
