"""The command line: listing, compiling, and one-line errors with a non-zero exit (no traceback)."""
import numpy as np

from tests.cli.support import assert_one_line_error, run_cli


def test_list(capsys):
    code, out, _ = run_cli(capsys, "check", "--list", "transpose")
    assert code == 0 and "transpose_padded" in out and "TILE_DIM∈{16,32,64}" in out


def test_compile_shows_resources_for_both_archs(capsys):
    code, out, _ = run_cli(capsys, "check", "--compile", "transpose_padded")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("| transpose_padded")]
    assert [r.split("|")[2].strip() for r in rows] == ["sm_80", "sm_90"]
    assert all("4224" in r and r.rstrip(" |").endswith("ok") for r in rows)


def test_unknown_kernel(capsys):
    assert_one_line_error(*run_cli(capsys, "check", "transpose_pad")[::2], "unknown kernel", "transpose_padded")


def test_unknown_device(capsys):
    assert_one_line_error(*run_cli(capsys, "check", "--device", "tpu", "copy")[::2], "--device", "unknown device 'tpu'")


def test_unknown_flag(capsys):
    assert_one_line_error(*run_cli(capsys, "check", "--frobnicate", "copy")[::2], "--frobnicate")


def test_version(capsys):
    import warpbench
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.strip() == f"warpbench {warpbench.__version__}"


def test_ctrl_c_is_one_line_and_130(capsys, monkeypatch):
    from warpbench.cli import info

    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(info, "handle", interrupted)
    code, _, err = run_cli(capsys, "info")
    assert code == 130 and err.strip() == "warpbench: interrupted"


def test_block_of_2048_threads(capsys):
    code, _, err = run_cli(capsys, "bench", "axpb_f32", "--config", "BLOCK=2048")
    assert_one_line_error(code, err, "--config", "axpb_f32", "BLOCK=2048", "1024")


def test_3d_array_to_transpose(capsys, tmp_path):
    path = tmp_path / "cube.npy"
    np.save(path, np.zeros((2, 3, 4), np.float32))
    code, _, err = run_cli(capsys, "launch", "transpose_padded", str(path))
    assert_one_line_error(code, err, "transpose", "(2, 3, 4)", "2-D")


def test_float16_into_axpb(capsys, tmp_path):
    path = tmp_path / "half.npy"
    np.save(path, np.ones(10, np.float16))
    code, _, err = run_cli(capsys, "launch", "axpb_f32", str(path), "--scalars", "a=4,b=5")
    assert_one_line_error(code, err, "axpb", "float16", "float32, float64")


def test_missing_input_file(capsys, tmp_path):
    code, _, err = run_cli(capsys, "launch", "transpose_padded", str(tmp_path / "nope.npy"))
    assert_one_line_error(code, err, "nope.npy")


def test_info_explains_missing_cuda(capsys):
    from warpbench.runtime import cuda_status
    code, out, _ = run_cli(capsys, "info")
    assert code == 0 and "nvcc:" in out and "devices:" in out
    usable, reason = cuda_status()
    if not usable:
        assert f"cuda: unavailable: {reason}" in out


def test_check_on_the_emulator(capsys):
    code, out, _ = run_cli(capsys, "check", "--device", "emu", "--schedules", "transpose_padded")
    assert code == 0
    assert [line.split("|")[-2].strip() for line in out.splitlines() if "transpose_padded" in line] == ["PASS"]


def test_schedules_need_the_emulator(capsys):
    code, _, err = run_cli(capsys, "check", "--device", "cpu", "--schedules", "copy")
    assert_one_line_error(code, err, "--schedules needs the emu device")


def test_launch_round_trip(capsys, tmp_path):
    a = np.arange(35, dtype=np.float32).reshape(5, 7)
    np.save(tmp_path / "a.npy", a)
    code, out, _ = run_cli(capsys, "launch", "transpose_padded", str(tmp_path / "a.npy"), "--device", "emu",
                           "--config", "TILE_DIM=16,BLOCK_ROWS=4", "--out", str(tmp_path / "at.npy"))
    assert code == 0 and "max abs err 0.00e+00" in out
    np.testing.assert_array_equal(np.load(tmp_path / "at.npy"), a.T)


def test_bench_with_a_problem_override(capsys):
    code, out, _ = run_cli(capsys, "bench", "--device", "cpu", "transpose", "--problem", "rows=64,cols=32")
    assert code == 0
    rows = [line for line in out.splitlines() if "64x32" in line]
    assert [r.split("|")[1].strip() for r in rows] == ["transpose[hostcode]", "transpose[numpy]"]


def test_run_writes_the_report(capsys, tmp_path, monkeypatch):
    from warpbench.runtime import cuda_status, get_device
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(tmp_path / "tune.sqlite"))
    code, out, _ = run_cli(capsys, "run", "copy", "--no-tune", "--out", str(tmp_path / "report"))
    assert code == 0 and "tune on" not in out
    usable, reason = cuda_status()
    if not usable:
        assert out.splitlines()[0] == f"cuda: unavailable: {reason}; kernels run on the CPU emulator instead"
    assert "copy[hostcode]" in out and "copy[numpy]" in out
    assert "networks on cpu" in out
    for name in ("report.md", "results.json", "report.html", "gbs.svg", "networks.svg"):
        assert (tmp_path / "report" / name).stat().st_size > 0
    hint = f"to make one: warpbench tune KERNEL --device {get_device().kind}"
    assert f"\n{hint}" not in out and hint in (tmp_path / "report" / "report.md").read_text()


def test_networks_configs_sweeps_a_networks_kernels_on_the_emulator(capsys, tmp_path):
    plot = tmp_path / "lenet.svg"
    code, out, _ = run_cli(capsys, "networks", "--configs", "lenet", "--device", "emu", "--limit", "1",
                           "--plot", str(plot))
    assert code == 0
    assert "lenet train_step on" in out and "tiny sizes" in out
    assert "| default" in out and "conv2d_direct BLOCK=" in out
    assert plot.read_text().startswith("<svg")


def test_networks_configs_names_a_bad_plot_path(capsys, tmp_path):
    code, _, err = run_cli(capsys, "networks", "--configs", "mlp", "--device", "cpu", "--plot", str(tmp_path / "x.png"))
    assert code == 2 and "--plot" in err and ".svg" in err


def test_a_reader_that_leaves_ends_the_command_quietly():
    import subprocess
    import sys
    from pathlib import Path
    child = subprocess.Popen([sys.executable, "-m", "warpbench", "check", "--list", "--json"],
                             cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()   # as `| head` does once it has its lines
    err = child.stderr.read().decode()
    child.stderr.close()
    assert child.wait() == 141 and err == "", err
