"""results.json rows: tidy columns, one per problem parameter, config as a dict."""
import json

import pytest

from warpbench.bench.report.results import implementation, tidy_row, variant, write_results
from tests.bench.test_report import bench_row, sample_rows


def test_host_rows_name_the_workload_and_implementation():
    tidy = tidy_row(sample_rows()[0])
    assert (tidy["name"], tidy["kernel"], tidy["variant"], tidy["implementation"]) == (
        "gemm[hostcode]", "gemm", None, "hostcode")
    assert (tidy["M"], tidy["N"], tidy["K"], tidy["trans_a"], tidy["dtype"]) == (256, 256, 256, 0, "float32")
    assert tidy["median_s"] == 2e-3 and tidy["iqr_s"] == pytest.approx(1e-4) and tidy["samples"] == 15
    assert tidy["flops"] == pytest.approx(2 * 256**3) and tidy["bytes"] == pytest.approx(3 * 256 * 256 * 4)
    assert "dtype" not in {k for k in tidy if k.startswith("param_")}


def test_kernel_rows_keep_variant_device_and_config_dict():
    row = bench_row("transpose_padded", "64x48", {"rows": 64, "cols": 48, "dtype": "float32"}, 1e-5, 24576, 0,
                    device="cuda", tunables={"TILE_DIM": 32, "BLOCK_ROWS": 8}, workload="transpose")
    tidy = tidy_row(row)
    assert (tidy["kernel"], tidy["variant"], tidy["implementation"], tidy["device"]) == (
        "transpose", "transpose_padded", "cuda", "cuda")
    assert tidy["config"] == {"TILE_DIM": 32, "BLOCK_ROWS": 8} and (tidy["rows"], tidy["cols"]) == (64, 48)
    assert implementation(row) == "cuda" and variant(row) == "transpose_padded"


def test_parameters_that_clash_with_a_column_are_prefixed_and_tuples_become_lists(tmp_path):
    row = bench_row("embedding[numpy]", "ids", {"ids_shape": (128, 64), "config": 3, "dtype": "float64"}, 1e-3, 8, 0)
    tidy = tidy_row(row)
    assert tidy["param_config"] == 3 and tidy["config"] == {} and tidy["ids_shape"] == [128, 64]
    assert tidy["kernel"] == "embedding" and tidy["dtype"] == "float64"
    write_results(tmp_path / "r.json", [row], {"CPU": "x"})
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["meta"] == {"CPU": "x"} and data["rows"][0]["ids_shape"] == [128, 64]


def test_failed_rows_have_the_error_and_no_numbers():
    tidy = tidy_row(sample_rows()[-1])
    assert tidy["error"] == "boom" and tidy["median_s"] is None and tidy["gb_s"] is None
    assert tidy["variant"] == "sgemm_smem" and tidy["kernel"] == "sgemm_smem"


def test_tuning_rows_are_tidy_and_name_the_objective(tmp_path, emu):
    from tests.bench.test_report import sample_tuning
    from warpbench.bench.report.results import tuning_rows
    rows = [r for r in tuning_rows(sample_tuning(tmp_path, emu)) if r["kernel"] == "transpose_padded"]
    assert len(rows) == 6 and {r["objective"] for r in rows} == {"model"} and "median_s" in rows[0]
    default, = (r for r in rows if r["default"])
    best, = (r for r in rows if r["best"])
    assert default["config"] == {"TILE_DIM": 32, "BLOCK_ROWS": 8} and default["value_s"] == 2e-6
    assert best["config"] == {"TILE_DIM": 32, "BLOCK_ROWS": 32} and best["res_occupancy"] == 1.0
    assert (best["rows"], best["cols"], best["dtype"], best["stale"]) == (257, 255, "float32", False)
    failed = next(r for r in rows if r["status"] == "failed")
    assert failed["max_error"] is None and failed["reason"] == "wrong answer at 7x13" and failed["value_s"] is None
    json.dumps(rows, allow_nan=False)
