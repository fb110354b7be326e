"""The nvcc resource table for sm_90 (nvcc, no GPU)."""
import pytest

from warpbench.bench.report.resources import HEADERS, ResourceRow, nvcc_missing, resource_rows
from warpbench.kernels import get

needs_nvcc = pytest.mark.skipif(bool(nvcc_missing()), reason=nvcc_missing() or "nvcc is installed")


def test_unknown_values_are_blank_cells():
    row = ResourceRow("lstm_forward_gemm", status="pipeline of a, b")
    assert row.cells() == ["lstm_forward_gemm", "", "", "", "", "", "", "", "pipeline of a, b"]
    assert len(row.cells()) == len(HEADERS)


@needs_nvcc
def test_variants_get_ptxas_figures_and_occupancy_pipelines_say_so():
    naive, padded, pipeline = resource_rows([get("transpose_naive"), get("transpose_padded"),
                                             get("lstm_forward_gemm")])
    assert naive.registers > 0 and naive.spills == 0 and naive.status == "ok" and naive.shared_static == 0
    assert padded.shared_static == 32 * 33 * 4, "the padded tile is static shared memory"
    assert 0 < padded.occupancy <= 1 and padded.limiter and padded.threads == 32 * 8
    assert pipeline.status.startswith("pipeline of ") and pipeline.registers is None
