"""The tuner: search a kernel's configurations, prune, verify, rank, store, and reuse the best.

``warpbench.tune("transpose_padded", device="emu")`` (this module is callable: it is
:func:`warpbench.tune.run.tune`) returns a :class:`TuneResult`; ``tune_kernel`` is Kernel
Tuner's entry point for kernels outside the registry; :func:`tuned_config` is what
``device.compile(name)`` asks for when no configuration is given.
"""
from __future__ import annotations

import sys
import types

from warpbench.tune.best import tuned_config
from warpbench.tune.database import TuneDatabase, database_path
from warpbench.tune.kernel_tuner import tune_kernel
from warpbench.tune.record import Evaluation
from warpbench.tune.run import TuneResult, tune


class _CallableModule(types.ModuleType):
    """``warpbench.tune`` is both this package and the function :func:`tune`."""

    def __call__(self, *args, **kwargs) -> TuneResult:
        """:func:`warpbench.tune.run.tune`."""
        return tune(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["Evaluation", "TuneDatabase", "TuneResult", "database_path", "tune", "tune_kernel", "tuned_config"]
