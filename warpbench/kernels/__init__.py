"""Kernels: CUDA sources (cuda/), their specs (specs/), the registry and the nvcc pipeline."""
from warpbench.kernels.registry import (all_specs, family_of, get, get_workload, register, select,
                                        variants_of)
from warpbench.kernels.spec import KernelSpec, Launch, Param, PipelineSpec, Restriction, Tunable, Workload

__all__ = ["all_specs", "family_of", "get", "get_workload", "register", "select", "variants_of",
           "KernelSpec", "Launch", "Param", "PipelineSpec", "Restriction", "Tunable", "Workload"]
