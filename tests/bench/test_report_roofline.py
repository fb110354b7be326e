"""Rooflines: measured ceilings where the run measured them, stated ones otherwise, labelled."""
import pytest

from warpbench.bench.report.machine import gpu_lines
from warpbench.bench.report.roofline import Roof, data_only, device_roof, measured_points, stated_points
from warpbench.kernels import get
from warpbench.runtime.properties import arch_properties
from tests.bench.test_report import bench_row, sample_rows


def test_the_roof_is_the_lower_of_bandwidth_and_compute():
    roof = Roof("d", 100.0, "stated", 1000.0, "stated")
    assert roof.ridge == 10.0 and roof.attainable(1.0) == 100.0 and roof.attainable(50.0) == 1000.0


def test_cpu_roof_is_measured_in_the_same_run(cpu):
    rows = sample_rows()
    roof = device_roof(cpu, rows)
    assert roof.bandwidth_gbs == 30.0, "the copy of the most bytes (transpose's 32 MiB) sets the bandwidth"
    assert roof.bandwidth_source.startswith("measured: same-run copy of 33.6 MB")
    assert roof.peak_source.startswith("measured:") and roof.peak_gflops >= max(r.gflops for r in rows)


def test_emulator_roof_is_the_stated_sm90_data_sheet(emu):
    roof = device_roof(emu, [])
    assert (roof.bandwidth_gbs, roof.peak_gflops) == (3350.0, 66900.0)
    assert roof.bandwidth_source == "stated: H100 SXM (sm_90 limits) data sheet"
    assert roof.peak_source == "stated: H100 SXM (sm_90 limits) FP32 data sheet"


def test_points_use_the_cost_models_intensity():
    points = measured_points(sample_rows(), "cpu")
    gemm = next(p for p in points if p.label.startswith("gemm[hostcode]"))
    assert gemm.intensity == pytest.approx(2 * 256**3 / (3 * 256 * 256 * 4)) and gemm.measured
    assert not any(p.label.startswith("transpose") for p in points)
    assert data_only(sample_rows(), "cpu") == ["transpose[hostcode] 2048x2048", "transpose[numpy] 2048x2048"]
    assert measured_points(sample_rows(), "cuda") == []


def test_unmeasured_variants_sit_on_the_stated_roof(emu):
    roof = device_roof(emu, [])
    points = stated_points([get("sgemm_smem"), get("transpose_naive"), get("softmax_warp_row")], roof, "emu")
    assert [p.label.split()[0] for p in points] == ["sgemm_smem", "softmax_warp_row"]
    assert all(not p.measured and p.gflops == roof.attainable(p.intensity) for p in points)
    assert points[0].gflops == roof.peak_gflops and points[1].gflops < roof.peak_gflops


class FakeGpu:
    """What the roofline reads from a cuda device, without a GPU."""

    kind, emulated = "cuda", False
    properties = arch_properties("sm_80")
    name = "cuda: A100 (sm_80)"

    def describe(self):
        return ["A100 (sm_80), driver CUDA 13.0", "108 SMs"]


def test_gpu_roof_measures_bandwidth_and_states_compute():
    row = bench_row("sgemm_smem", "p", {"dtype": "float32"}, 1e-3, 1e8, 1e10, device="cuda", copy_gbs=1500.0)
    roof = device_roof(FakeGpu(), [row])
    assert (roof.bandwidth_gbs, roof.peak_gflops) == (1500.0, 19500.0)
    assert roof.bandwidth_source == "measured: same-run copy of 100 MB"
    assert roof.peak_source == "stated: A100 (sm_80 limits) FP32 data sheet"
    assert gpu_lines([FakeGpu()]) == "A100 (sm_80), driver CUDA 13.0; 108 SMs"
