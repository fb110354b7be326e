"""pytest-benchmark records the device's time (CUDA events on a GPU) and the case's bytes and FLOPs.

No GPU is needed: a simulated GPU whose event timer advances only when its kernel runs stands
in for cuda, and an inner pytest session writes the ``--benchmark-json`` that compare,
compare-fail and the histograms read.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warpbench.bench.cases import host_case
from warpbench.kernels.specs.gemm import gemm_problem

ROOT = Path(__file__).resolve().parents[2]

INNER = '''
from warpbench.bench.cases import Case, host_case
from tests.benchmarks.support import time_case

KERNEL_SECONDS = 1e-3


class EventTimer:
    """CUDA-event semantics: each record takes the simulated GPU's time."""

    def __init__(self, gpu):
        self.gpu = gpu

    def __enter__(self):
        self.start = self.gpu.now
        return self

    def __exit__(self, *exc):
        self.stop = self.gpu.now

    @property
    def seconds(self):
        return self.stop - self.start


class SimulatedGpu:
    """A device whose clock moves only while its kernel runs; memory is the host's."""

    kind = "simgpu"

    def __init__(self, host):
        self.host, self.now, self.launches, self.flushes = host, 0.0, 0, 0

    def timer(self):
        return EventTimer(self)

    def synchronize(self):
        pass

    def to_host(self, buffer):
        return self.host.to_host(buffer)

    def l2_flusher(self):
        def flush():
            self.flushes += 1
            return self  # pycuda's fill returns the array: it must not become the arguments
        return flush


def simulated_case():
    host = host_case("copy", {"n": 4096, "dtype": "float32"})
    gpu = SimulatedGpu(host.device)

    def kernel():
        host.launch()
        gpu.now += KERNEL_SECONDS
        gpu.launches += 1
    return Case("copy_sim", gpu, host.workload, host.problem, kernel, host.buffers, host.inputs), gpu


def test_gpu_case(benchmark):
    case, gpu = simulated_case()
    time_case(benchmark, case, "copy n=4096", rounds=7)
    if benchmark.enabled:
        assert gpu.flushes == 10 and gpu.launches == 10  # 3 warm-up rounds, 7 timed
    else:
        assert gpu.launches == 1


def test_cpu_case(benchmark):
    time_case(benchmark, host_case("gemm", {"M": 64, "N": 32, "K": 16, "alpha": 1.0, "beta": 0.0,
                                            "trans_a": 0, "trans_b": 0, "dtype": "float32"}), "gemm")
'''


def _inner_session(tmp_path, *options):
    (tmp_path / "test_inner.py").write_text(INNER)
    # The inner session is a run of its own: under pytest-xdist, pytest-benchmark would take
    # the worker's variables as its own and disable itself.
    outer = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    env = {**outer, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                           str(tmp_path / "test_inner.py"), *options], cwd=tmp_path, env=env,
                          capture_output=True, text=True)


def test_gpu_time_is_the_measured_value_and_bytes_flops_are_recorded(tmp_path):
    out = tmp_path / "bench.json"
    run = _inner_session(tmp_path, f"--benchmark-json={out}")
    assert run.returncode == 0, run.stdout + run.stderr
    records = {b["name"]: b for b in json.loads(out.read_text())["benchmarks"]}
    gpu, cpu = records["test_gpu_case"], records["test_cpu_case"]
    # Every sample is the simulated 1 ms of kernel time, whatever the wall clock says.
    assert gpu["stats"]["rounds"] == 7
    assert gpu["stats"]["min"] == pytest.approx(1e-3) and gpu["stats"]["max"] == pytest.approx(1e-3)
    assert gpu["options"]["timer"] == "simgpu_clock" and gpu["group"] == "copy n=4096"
    assert gpu["extra_info"]["bytes"] == 2 * 4096 * 4 and gpu["extra_info"]["device"] == "simgpu"
    assert gpu["extra_info"]["gbs"] == pytest.approx(2 * 4096 * 4 / 1e-3 / 1e9)
    assert cpu["extra_info"]["flops"] == 2 * 64 * 32 * 16 and cpu["extra_info"]["bytes"] > 0
    assert cpu["options"]["timer"] == "cpu_clock" and cpu["extra_info"]["gflops"] > 0


def test_disabled_benchmarks_run_each_case_once(tmp_path):
    run = _inner_session(tmp_path, "--benchmark-disable")
    assert run.returncode == 0 and "2 passed" in run.stdout, run.stdout + run.stderr


def test_extra_info_is_the_cost_model():
    copy = host_case("copy", {"n": 1024, "dtype": "float32"})
    assert copy.extra_info() == {"device": "cpu", "problem": "n=1024", "bytes": 2 * 1024 * 4.0, "flops": 0.0}
    gemm = host_case("gemm", gemm_problem(64, 32, 16))
    assert gemm.extra_info()["flops"] == 2 * 64 * 32 * 16
