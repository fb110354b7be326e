"""An Nsight Compute user's first tests of ``warpbench profile``: ncu's metric names, the
textbook sectors/request and bank-conflict figures of the transpose study, and the Python
profile of a PyCUDA-style kernel."""
import json

import numpy as np
import pytest

from tests.cli.support import assert_one_line_error, run_cli

LD_SECTORS = "l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum"
LD_REQUESTS = "l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum"
LD_PER_REQUEST = "l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_ld.ratio"
ST_PER_REQUEST = "l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_st.ratio"
LD_EFFICIENCY = "smsp__sass_average_data_bytes_per_sector_mem_global_op_ld.pct"
ST_EFFICIENCY = "smsp__sass_average_data_bytes_per_sector_mem_global_op_st.pct"
SHARED_LD_CONFLICTS = "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum"
SHARED_ST_CONFLICTS = "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_st.sum"


def profile_json(capsys, kernel, *extra):
    """The one row of ``warpbench profile KERNEL --device emu --json`` at an aligned 256x256."""
    code, out, err = run_cli(capsys, "profile", kernel, "--device", "emu", "--json", "--problem",
                             "rows=256,cols=256", *extra)
    assert code == 0, err
    (row,) = json.loads(out)
    return row


def test_json_has_ncus_metric_names_and_the_launch(capsys):
    row = profile_json(capsys, "transpose_naive")
    assert row["kernel"] == "transpose_naive" and row["device"] == "emu" and row["problem"] == "256x256"
    for name in (LD_SECTORS, LD_REQUESTS, LD_PER_REQUEST, ST_PER_REQUEST, LD_EFFICIENCY, ST_EFFICIENCY,
                 "smsp__sass_data_bytes_mem_global_op_ld.sum", "smsp__sass_data_bytes_mem_global_op_st.sum"):
        assert name in row["metrics"], name
    assert row["launches"] == [{"kernel": "transpose_naive", "grid": [8, 8, 1], "block": [32, 8, 1]}]


def test_naive_transpose_reads_coalesced_and_writes_strided(capsys):
    metrics = profile_json(capsys, "transpose_naive")["metrics"]
    assert metrics[LD_PER_REQUEST] == 4 and metrics[LD_EFFICIENCY] == 100
    assert metrics[ST_PER_REQUEST] == 32 and metrics[ST_EFFICIENCY] == 12.5
    assert metrics[LD_SECTORS] == 256 * 256 * 4 / 32 and metrics["smsp__sass_data_bytes_mem_global_op_ld.sum"] == 256 ** 2 * 4


def test_shared_tile_without_padding_has_32_way_bank_conflicts_and_padding_removes_them(capsys):
    coalesced = profile_json(capsys, "transpose_coalesced")["metrics"]
    padded = profile_json(capsys, "transpose_padded")["metrics"]
    for metrics in (coalesced, padded):
        assert metrics[LD_PER_REQUEST] == 4 and metrics[ST_PER_REQUEST] == 4
    assert coalesced["derived__shared_wavefronts_per_request_op_ld.ratio"] == 32 and coalesced[SHARED_LD_CONFLICTS] > 0
    assert padded[SHARED_LD_CONFLICTS] == 0 and padded[SHARED_ST_CONFLICTS] == 0


def test_source_view_attributes_sectors_to_the_line(capsys):
    row = profile_json(capsys, "transpose_naive")
    (line,) = [entry for entry in row["lines"] if entry["global_requests"]]
    assert line["file"].endswith("transpose.cu") and line["sectors_per_request"] == pytest.approx((4 + 32) / 2)


def test_the_roofline_is_a_model_and_says_so(capsys):
    row = profile_json(capsys, "transpose_naive")
    model = row["roofline_model"]
    sectors = row["metrics"][LD_SECTORS] + row["metrics"]["l1tex__t_sectors_pipe_lsu_mem_global_op_st.sum"]
    # "every global sector from DRAM once, no cache": the strided stores cost 8x their bytes
    assert model["bound"] == "memory" and model["dram_bytes"] == 32 * sectors and model["seconds"] > 0
    code, out, _ = run_cli(capsys, "profile", "transpose_naive", "--device", "emu")
    assert code == 0 and "MODEL" in out and "not a measurement" in out


def test_device_cuda_without_a_gpu_is_one_line(capsys):
    from warpbench.runtime import cuda_status
    if cuda_status()[0]:
        pytest.skip("a GPU is usable here")
    assert_one_line_error(*run_cli(capsys, "profile", "transpose_naive", "--device", "cuda")[::2], "cuda")


def test_python_profile_of_a_sourcemodule_kernel():
    from warpbench.emu import SourceModule, driver
    from warpbench.emu.instrument import profile
    strided = SourceModule("__global__ void strided(float *o, const float *i) { o[threadIdx.x * 32] = i[threadIdx.x]; }")
    out = np.zeros(32 * 32, np.float32)
    launch = profile(strided.get_function("strided"), driver.Out(out), driver.In(np.ones(32, np.float32)),
                     grid=(1, 1), block=(32, 1, 1))
    by_op = {site.op: site for site in launch.sites if site.space == "global"}
    assert (by_op["load"].requests, by_op["load"].sectors) == (1, 4)
    assert (by_op["store"].requests, by_op["store"].sectors) == (1, 32)
    assert np.all(out[::32] == 1), "Out arguments are copied back as in a plain call"
