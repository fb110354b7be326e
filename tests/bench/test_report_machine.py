"""The machine header: CPU, cores, GPU, versions, threads and sample counts."""
import os

from warpbench.bench.report.machine import core_counts, cpu_model, machine_header, sample_counts
from tests.bench.test_report import sample_rows

CPUINFO = "".join(f"processor\t: {i}\nmodel name\t: Example CPU 9000\nphysical id\t: 0\ncore id\t\t: {i // 2}\n\n"
                  for i in range(4))


def test_cpu_model_and_physical_cores_come_from_cpuinfo():
    assert cpu_model(CPUINFO) == "Example CPU 9000"
    assert core_counts(CPUINFO).startswith(f"2 cores, {os.cpu_count()} threads")
    assert core_counts("").startswith(f"{os.cpu_count()} threads")


def test_sample_counts_say_what_each_median_rests_on():
    assert sample_counts(sample_rows()).startswith("15 per case (median and IQR of up to 15 samples")
    assert sample_counts(sample_rows()[-1:]) == "no timed cases"


def test_header_has_every_line_and_the_callers_meta(emu):
    header = machine_header((emu,), sample_rows(), {"kernel device": "emu"})
    assert list(header)[:3] == ["date", "commit", "host"] and header["kernel device"] == "emu"
    for key in ("CPU", "cores", "GPU", "nvcc", "g++", "host code", "OpenMP threads", "samples"):
        assert header[key], key
    assert all(f"{lib} " in header["libraries"] for lib in ("python", "numpy", "scipy", "warpbench"))
    assert header["GPU"].startswith("none (") or "driver" in header["GPU"]
