"""``parallel="ray[:ADDRESS]"``: configurations evaluated over a Ray cluster, results in one database.

On the emulator every configuration is one Ray task on a CPU (nvcc, pruning, verification
and the model, all CPU-bound). On a GPU, nvcc and pruning run as CPU tasks and each
surviving configuration is verified and timed by one actor per GPU (Ray sets
``CUDA_VISIBLE_DEVICES`` for each), so two timings never share a GPU. Only the driver writes
the database, in the order the batch was handed out, so a Ray run stores the same rows
as a serial one. ``ray`` alone starts (or joins) a local cluster; ``ray:ADDRESS`` joins
that cluster. Workers import warpbench from the driver's checkout (``PYTHONPATH``).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from warpbench.errors import ConfigError
from warpbench.tune.evaluate import Evaluator
from warpbench.tune.prune import compile_all
from warpbench.tune.record import Evaluation

ROOT = Path(__file__).resolve().parents[2]


def parse_parallel(text: str | None) -> str | None:
    """The Ray address of ``parallel`` ("" for a local cluster), or None for a serial run;
    ConfigError for anything but ``ray`` and ``ray:ADDRESS``."""
    if text is None or text == "serial":
        return None
    engine, _, address = text.partition(":")
    if engine != "ray":
        raise ConfigError(f"parallel {text!r}: expected 'ray' or 'ray:ADDRESS' (the only engine is Ray)")
    return address


def _ray(address: str):
    try:
        import ray
    except ImportError:
        raise ConfigError("parallel 'ray' needs Ray: pip install 'ray>=2'") from None
    if not ray.is_initialized():
        runtime = {"env_vars": {"PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}}
        ray.init(address=address or None, include_dashboard=False, log_to_driver=False, runtime_env=runtime)
    return ray


def _evaluator(spec, device_kind: str, problem, objective: str, floor: float, seed: int) -> Evaluator:
    from warpbench.runtime import get_device
    return Evaluator(_resolved(spec), get_device(device_kind), problem, objective, floor, 1, seed)


def _resolved(spec):
    from warpbench.kernels import get
    return get(spec) if isinstance(spec, str) else spec


def _whole(spec, device_kind, problem, objective, floor, seed, config) -> Evaluation:
    """One configuration from nvcc to objective (a CPU task)."""
    return next(_evaluator(spec, device_kind, problem, objective, floor, seed).evaluations([config]))


def _static(spec, arch: str, config):
    """nvcc's verdict on one configuration (a CPU task)."""
    return compile_all(_resolved(spec), [config], arch, 1)[0]


class _GpuWorker:
    """Verifies and times configurations on the one GPU Ray gave this actor."""

    def __init__(self, spec, problem, objective, floor, seed):
        self.evaluator = _evaluator(spec, "cuda", problem, objective, floor, seed)

    def evaluate(self, config, static) -> Evaluation:
        """One configuration's outcome on this GPU."""
        return self.evaluator.evaluate(config, static)


class RayEvaluator:
    """Hands batches to a Ray cluster; the same interface as :class:`Evaluator`."""

    def __init__(self, local: Evaluator, address: str):
        self.local, self.ray = local, _ray(address)
        spec = local.spec
        # A registry kernel travels by name; another spec (tune_kernel, a RawKernel) by value.
        from warpbench.kernels import get
        from warpbench.errors import UnknownNameError
        try:
            self.spec = spec.name if get(spec.name) is spec else spec
        except UnknownNameError:
            self.spec = spec
        self.args = (local.problem, local.objective, local.floor, local.seed)
        self.nvcc_note, self.workers = local.nvcc_note, max(int(self.ray.cluster_resources().get("CPU", 1)), 1)
        self.gpus = []
        if not local.device.emulated:
            count = int(self.ray.cluster_resources().get("GPU", 0))
            if count < 1:
                raise ConfigError(f"{spec.name}: parallel 'ray' on {local.device.kind} needs GPUs in the cluster; "
                                  f"it has none")
            actor = self.ray.remote(num_gpus=1)(_GpuWorker)
            self.gpus = [actor.remote(self.spec, *self.args) for _ in range(count)]

    def evaluations(self, batch: list[dict]) -> Iterator[Evaluation]:
        """Each configuration of ``batch`` evaluated on the cluster, yielded in batch order."""
        ray = self.ray
        if not self.gpus:
            task = ray.remote(num_cpus=1)(_whole)
            futures = [task.remote(self.spec, self.local.device.kind, *self.args, config) for config in batch]
        else:
            static = ray.remote(num_cpus=1)(_static)
            statics = [static.remote(self.spec, self.local.props.arch, config) for config in batch]
            futures = [self.gpus[i % len(self.gpus)].evaluate.remote(config, statics[i])
                       for i, config in enumerate(batch)]
        for future in futures:
            yield ray.get(future)
