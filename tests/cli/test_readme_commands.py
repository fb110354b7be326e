"""The README's "Command line" section as a new user types it: the cheap commands, each on the
emulator or the cpu device, and every bad value it lists as one line with exit status 2.

The costly ones (``run``, ``bench`` of whole families, ``train`` to convergence) are left to
their own tests; here every case takes about a second once the kernels are cached.
"""
import json

import numpy as np
import pytest

from tests.cli.support import assert_one_line_error, run_cli


@pytest.fixture
def tune_db(tmp_path, monkeypatch):
    """A private, empty tuning database (WARPBENCH_TUNE_DB) for one test."""
    path = tmp_path / "tune.sqlite"
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(path))
    return path


@pytest.fixture
def arrays(tmp_path):
    """A float32 matrix, a 3-D array, a float16 vector and a text file posing as .npy."""
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "cube.npy", np.zeros((2, 2, 2), np.float32))
    np.save(tmp_path / "half.npy", np.ones(5, np.float16))
    (tmp_path / "text.npy").write_text("not an array\n")
    return tmp_path, a


def test_version_and_info(capsys):
    code, out, _ = run_cli(capsys, "info")
    assert code == 0
    for line in ("nvcc", "g++", "emu:", "cpu:", "cuda:", "default device:"):
        assert line in out, out
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.startswith("warpbench ")


def test_check_list_json_names_variants_families_and_tunables(capsys):
    code, out, err = run_cli(capsys, "check", "--list", "--json")
    rows = json.loads(out)
    assert code == 0 and isinstance(rows, list)
    padded = next(r for r in rows if r["kernel"] == "transpose_padded")
    assert "TILE_DIM" in json.dumps(padded) and "BLOCK_ROWS" in json.dumps(padded)


@pytest.mark.parametrize("argv", [
    ("check", "transpose_padded"),
    ("check", "--device", "cpu", "transpose"),
    ("check", "--config", "TILE_DIM=16,BLOCK_ROWS=4", "transpose_padded"),
    ("check", "--device", "emu", "--schedules", "axpb_f32"),
], ids=" ".join)
def test_check_passes(capsys, tune_db, argv):
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and "PASS" in out and "FAIL" not in out, out


def test_check_json_is_one_array_on_stdout(capsys, tune_db):
    code, out, _ = run_cli(capsys, "check", "--device", "emu", "--json", "axpb_f32")
    (row,) = json.loads(out)
    assert code == 0 and row["kernel"] == "axpb_f32" and row["status"] == "PASS" and row["device"] == "emu"


def test_bench_json_rows_have_the_fields_the_readme_lists(capsys, tune_db):
    code, out, _ = run_cli(capsys, "bench", "--device", "emu", "--json", "--problem", "n=4099", "axpb_f32")
    (row,) = json.loads(out)
    fields = ("kernel", "device", "problem", "config", "seconds", "spread", "gbs", "gflops", "copy_gbs",
              "fraction_of_copy", "error")
    assert code == 0 and set(fields) <= set(row), sorted(row)
    assert row["seconds"] > 0 and row["error"] == "" and "4099" in row["problem"]


def test_launch_transposes_your_array(capsys, tune_db, arrays):
    folder, a = arrays
    code, out, _ = run_cli(capsys, "launch", "transpose_padded", str(folder / "a.npy"), "--out", str(folder / "at.npy"))
    assert code == 0 and np.array_equal(np.load(folder / "at.npy"), a.T), out


def test_launch_with_scalars(capsys, tune_db, arrays):
    folder, a = arrays
    code, _, _ = run_cli(capsys, "launch", "axpb_f32", str(folder / "a.npy"), "--out", str(folder / "z.npy"),
                         "--scalars", "a=4,b=5")
    assert code == 0 and np.allclose(np.load(folder / "z.npy"), 4 * a + 5)


def test_tune_then_show_then_use(capsys, tune_db, tmp_path):
    code, out, _ = run_cli(capsys, "tune", "transpose_padded", "--device", "emu", "--budget", "2",
                           "--export", str(tmp_path / "t4.json"))
    assert code == 0 and "verified" in out and tune_db.exists()
    t4 = json.loads((tmp_path / "t4.json").read_text())
    assert t4["schema_version"] and len(t4["results"]) == 2
    code, shown, _ = run_cli(capsys, "tune", "--show", "transpose_padded")
    assert code == 0 and shown.count("verified") == 2, shown
    best = next(line for line in shown.splitlines() if line.startswith("| *")).split("|")[1].strip(" *")
    code, out, _ = run_cli(capsys, "check", "transpose_padded")
    assert code == 0 and best in out, f"check did not use the tuned {best}:\n{out}"


def test_tune_show_without_a_run_is_one_line(capsys, tune_db):
    assert_one_line_error(*run_cli(capsys, "tune", "--show", "transpose_padded")[::2], "transpose_padded")


def test_profile_prints_nsight_metrics_and_the_source_view(capsys):
    code, out, _ = run_cli(capsys, "profile", "transpose_naive", "--device", "emu")
    assert code == 0
    assert "l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_st.ratio" in out
    assert "out[(size_t)x * rows + y + j]" in out and "roofline" in out.lower()


def test_profile_with_the_checks(capsys):
    code, out, err = run_cli(capsys, "profile", "transpose_naive", "--device", "emu", "--racecheck", "--initcheck")
    assert code == 0 and "Traceback" not in err


def test_networks_lists_the_books_networks(capsys):
    code, out, _ = run_cli(capsys, "networks")
    assert code == 0 and all(name in out for name in ("mlp", "lenet", "char_lstm", "bilstm", "resnet")), out


@pytest.mark.slow
def test_train_mlp_one_epoch_on_cpu(capsys, tmp_path):
    """About 3 s: the MLP on the digits for one epoch, then saved."""
    code, out, _ = run_cli(capsys, "train", "mlp", "--device", "cpu", "--epochs", "1",
                           "--save", str(tmp_path / "mlp.npz"))
    assert code == 0 and "final test accuracy" in out and (tmp_path / "mlp.npz").exists()


@pytest.mark.parametrize("argv, fragments", [
    (("check", "nosuch"), ("unknown kernel", "nosuch")),
    (("check", "--device", "tpu", "axpb_f32"), ("--device", "tpu")),
    (("check", "--frobnicate", "axpb_f32"), ("--frobnicate",)),
    (("check", "--config", "NOPE=1", "transpose_padded"), ("NOPE",)),
    (("check", "--config", "TILE_DIM=16.5", "transpose_padded"), ("TILE_DIM=16.5",)),
    (("check", "--config", "TILE_DIM=64,BLOCK_ROWS=32", "transpose_padded"), ("TILE_DIM * BLOCK_ROWS",)),
    (("bench", "--device", "emu", "--problem", "nope=3", "transpose_padded"), ("nope",)),
    (("bench", "--device", "emu", "--problem", "rows=-1", "transpose_padded"), ("-1",)),
    (("bench", "--device", "emu", "--problem", "rows=10000000,cols=10000000", "transpose_padded"), ("10000000",)),
], ids=lambda v: " ".join(v) if v and v[0] in ("check", "bench") else "")
def test_bad_values_are_one_line(capsys, tune_db, argv, fragments):
    assert_one_line_error(*run_cli(capsys, *argv)[::2], *fragments)


@pytest.mark.parametrize("kernel, given, extra, fragments", [
    ("transpose_padded", "cube.npy", (), ("(2, 2, 2)",)),
    ("axpb_f32", "half.npy", ("--scalars", "a=4,b=5"), ("float16",)),
    ("transpose_padded", "text.npy", (), ("text.npy",)),
    ("axpb_f32", "a.npy", ("--scalars", "q=1"), ("q",)),
])
def test_bad_launch_inputs_are_one_line(capsys, tune_db, arrays, kernel, given, extra, fragments):
    folder, _ = arrays
    argv = ("launch", kernel, str(folder / given), "--out", str(folder / "o.npy"), *extra)
    assert_one_line_error(*run_cli(capsys, *argv)[::2], *fragments)


@pytest.mark.parametrize("out", ["missing/o.npy", "o.txt"])
def test_launch_out_must_be_an_npy_in_an_existing_folder(capsys, arrays, out):
    folder, _ = arrays
    argv = ("launch", "transpose_padded", str(folder / "a.npy"), "--out", str(folder / out))
    assert_one_line_error(*run_cli(capsys, *argv)[::2], "--out")


@pytest.mark.parametrize("name, value", [("WARPBENCH_EMU_WATCHDOG", "soon"), ("NVTX_DISABLE", "maybe"),
                                         ("WARPBENCH_FLOATX", "float16")])
def test_a_bad_setting_is_one_line(capsys, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    assert_one_line_error(*run_cli(capsys, "check", "axpb_f32")[::2], name)
