"""Nsight Compute for ``warpbench profile --device cuda``: one launch of a registry kernel under
``ncu``, filtered to its NVTX range, and the CSV it prints read back into metric totals.

``ncu --csv`` (its default ``details`` page) prints one row per (launch, metric) with the
columns ``"ID","Process ID","Process Name","Host Name","Kernel Name",...,"Metric Name",
"Metric Unit","Metric Value"``; values may carry thousands separators. Counters (``.sum``)
are added over the launches of one kernel; the ratios are derived again from the sums
(warpbench.emu.memory_metrics), so the table matches the emulator's column for column.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections import defaultdict

from warpbench.emu.memory_metrics import counter_names
from warpbench.errors import ToolMissing, WarpbenchError
from warpbench.trace import DOMAIN, launch_range_names


class NcuError(WarpbenchError):
    """Nsight Compute failed or printed no metric of the profiled kernel."""


def parse_csv(text: str) -> dict[str, dict[str, float]]:
    """Counter totals per kernel name from ``ncu --csv`` output (lines before the header,
    such as ``==PROF==`` messages and the program's own output, are skipped)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith('"ID"')), None)
    if start is None:
        raise NcuError("ncu printed no CSV table (no line starting with \"ID\")")
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in csv.DictReader(io.StringIO("\n".join(lines[start:]))):
        name, value = row.get("Metric Name"), (row.get("Metric Value") or "").replace(",", "")
        if not name or not row.get("Kernel Name"):
            continue
        try:
            totals[row["Kernel Name"]][name] += float(value)
        except ValueError:
            continue
    return {kernel: dict(metrics) for kernel, metrics in totals.items()}


def ncu_command(kernel_name: str, range_path: tuple[str, ...], child: list[str]) -> list[str]:
    """The ncu command line profiling ``child`` for the launches inside ``range_path``."""
    tool = shutil.which("ncu")
    if tool is None:
        raise ToolMissing(f"profile {kernel_name} --device cuda needs Nsight Compute's ncu on PATH "
                          "(install it with the CUDA toolkit), or use --device emu")
    return [tool, "--csv", "--nvtx", "--nvtx-include", f"{DOMAIN}@{'/'.join(range_path)}/",
            "--metrics", ",".join(counter_names()), *child]


def profile(kernel, problem: dict) -> dict[str, dict[str, float]]:
    """Counter totals per CUDA kernel name of one launch of ``kernel`` (a cuda Kernel) for ``problem``."""
    child = [sys.executable, "-m", "warpbench.cli.ncu", kernel.name, json.dumps(kernel.config), json.dumps(problem)]
    command = ncu_command(kernel.name, launch_range_names(kernel, problem), child)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise NcuError(f"ncu failed on {kernel.name} (exit status {done.returncode}): {tail[0]}")
    return parse_csv(done.stdout)


def _launch_once(name: str, config: str, problem: str) -> None:
    """The profiled child: one launch of the registry kernel ``name`` on cuda, inside its NVTX range."""
    import numpy as np

    from warpbench.check import device_buffers
    from warpbench.kernels import get
    from warpbench.runtime import get_device
    device = get_device("cuda")
    kernel = device.compile(get(name), json.loads(config))
    wanted = json.loads(problem)
    inputs = kernel.workload.make_inputs(wanted, np.random.default_rng(0))
    kernel.launch_problem(wanted, device_buffers(device, kernel.workload, wanted, inputs))
    device.synchronize()


if __name__ == "__main__":
    _launch_once(*sys.argv[1:4])
