"""``warpbench profile``: the emulator's tables and source view, JSON, and reading ncu's CSV."""
import json
import os

import pytest

from warpbench.cli import ncu
from warpbench.emu import memory_metrics
from tests.cli.support import assert_one_line_error, run_cli


def test_profile_transpose_naive_on_emu_prints_the_tables_and_the_source_view(capsys):
    code, out, _ = run_cli(capsys, "profile", "transpose_naive", "--device", "emu", "--problem", "rows=64,cols=64")
    assert code == 0
    rows = {line.split("|")[1].strip(): line.split("|")[3].strip() for line in out.splitlines()
            if line.startswith("| l1tex") or line.startswith("| smsp")}
    assert rows["l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_ld.ratio"] == "4"
    assert rows["l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_st.ratio"] == "32"
    source_line = next(line for line in out.splitlines() if "out[(size_t)x * rows + y + j] = in" in line)
    assert "| 18" in source_line  # the line's mean of 4 (load) and 32 (store) sectors/request
    assert "roofline MODEL for H100" in out


def test_profile_json_has_metrics_lines_and_the_model(capsys):
    code, out, _ = run_cli(capsys, "profile", "transpose_coalesced", "--device", "emu", "--problem",
                           "rows=64,cols=64", "--json", "--racecheck")
    assert code == 0
    (row,) = json.loads(out)
    assert row["metrics"]["derived__shared_wavefronts_per_request_op_ld.ratio"] == 32
    assert row["metrics"]["l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_st.sum"] == 0
    assert row["roofline_model"]["gpu"].startswith("H100") and row["launches"][0]["block"] == [32, 8, 1]
    assert any(line["wavefronts_per_request"] == 32 for line in row["lines"])


def test_profile_unknown_gpu_is_one_line(capsys):
    code, _, err = run_cli(capsys, "profile", "transpose_naive", "--device", "emu", "--gpu", "sm_1")
    assert_one_line_error(code, err, "sm_1")


# A sample in Nsight Compute's documented --csv layout (details page, --metrics): two launches.
NCU_COLUMNS = ("ID", "Process ID", "Process Name", "Host Name", "Kernel Name", "Context", "Stream", "Block Size",
               "Grid Size", "Device", "CC", "Section Name", "Metric Name", "Metric Unit", "Metric Value")


def ncu_row(launch: int, metric: str, unit: str, value: str) -> str:
    cells = (str(launch), "4242", "python3", "127.0.0.1", "transpose_naive", "1", "7", "(32, 8, 1)", "(32, 32, 1)",
             "0", "9.0", "Command line profiler metrics", metric, unit, value)
    return ",".join(f'"{cell}"' for cell in cells)


NCU_SAMPLE = "\n".join([
    "==PROF== Connected to process 4242 (/usr/bin/python3)",
    '==PROF== Profiling "transpose_naive" - 0: 0%....50%....100% - 1 pass',
    ",".join(f'"{column}"' for column in NCU_COLUMNS),
    ncu_row(0, "l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum", "", "32,768"),
    ncu_row(0, "l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum", "sector", "131,072"),
    ncu_row(0, "l1tex__t_requests_pipe_lsu_mem_global_op_st.sum", "", "32,768"),
    ncu_row(0, "l1tex__t_sectors_pipe_lsu_mem_global_op_st.sum", "sector", "1,048,576"),
    ncu_row(1, "l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum", "", "32,768"),
    ncu_row(1, "l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum", "sector", "131,072"),
]) + "\n"


def test_ncu_csv_is_read_into_the_same_metric_names():
    per_kernel = ncu.parse_csv(NCU_SAMPLE)
    counters = per_kernel["transpose_naive"]
    assert counters["l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum"] == 65536
    metrics = memory_metrics.derived(counters)
    assert metrics["l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_ld.ratio"] == 4
    assert metrics["l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_st.ratio"] == 32


def test_ncu_csv_without_a_table_is_an_error():
    with pytest.raises(ncu.NcuError, match="no CSV table"):
        ncu.parse_csv("==PROF== Disconnected from process 4242\n")


def test_ncu_command_filters_to_the_launch_range(monkeypatch):
    monkeypatch.setattr(ncu.shutil, "which", lambda name: "/opt/ncu")
    command = ncu.ncu_command("transpose_naive", ("transpose", "transpose_naive", "default", "cols=64"), ["py"])
    assert command[:5] == ["/opt/ncu", "--csv", "--nvtx", "--nvtx-include",
                           "warpbench@transpose/transpose_naive/default/cols=64/"]
    assert "l1tex__t_sectors_pipe_lsu_mem_global_op_st.sum" in command[command.index("--metrics") + 1]


def test_ncu_profile_runs_ncu_on_the_launch_range_and_reads_its_csv(tmp_path, monkeypatch):
    """A stand-in ncu (the real one needs a GPU) records its arguments and prints the sample."""
    from warpbench.kernels import get
    from warpbench.runtime import get_device
    (tmp_path / "sample.csv").write_text(NCU_SAMPLE)
    fake = tmp_path / "ncu"
    fake.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\ncat {tmp_path}/sample.csv\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    kernel = get_device("emu").compile(get("transpose_naive"), {})
    per_kernel = ncu.profile(kernel, {"rows": 64, "cols": 64, "dtype": "float32"})
    assert per_kernel["transpose_naive"]["l1tex__t_sectors_pipe_lsu_mem_global_op_st.sum"] == 1048576
    args = (tmp_path / "args").read_text()
    path = "transpose/transpose_naive/TILE_DIM=32,BLOCK_ROWS=8/cols=64,dtype=float32,rows=64/"
    assert f"--nvtx-include warpbench@{path}" in args
    assert "-m warpbench.cli.ncu transpose_naive" in args


def test_the_source_view_shows_the_kernel_and_measured_lines_only(tmp_path):
    from warpbench.cli.profile import kernel_lines, source_view
    from warpbench.emu.memory_metrics import LineMetrics
    text = ("__device__ float twice(float v) { return 2 * v; }\n"
            "extern \"C\" __global__ void other(float* o) { o[0] = 1; }\n"
            "template <int N>\n__global__ void scale(float* o,\n    const float* i) {\n"
            "  if (threadIdx.x < N) { o[threadIdx.x] = twice(i[threadIdx.x]); }\n}\n")
    assert kernel_lines(text, "scale") == range(4, 8) and kernel_lines(text, "missing") is None
    path = tmp_path / "k.cu"
    path.write_text(text)
    view = source_view(path, {(str(path), 1): LineMetrics(str(path), 1, 2, 4.0, 0, None, 0)}, "scale")
    assert "void scale" in view and "twice(i[" in view and "return 2 * v" in view
    assert "void other" not in view
