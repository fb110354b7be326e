"""The typed layer of the command line: every bad value is one line naming the flag, exit status 2."""
import argparse
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tests.cli.support import assert_one_line_error, run_cli
from warpbench.cli import args
from warpbench.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def test_config_values_are_integers():
    assert args.config_values("TILE_DIM=16, BLOCK_ROWS=4") == {"TILE_DIM": 16, "BLOCK_ROWS": 4}
    for bad in ("TILE_DIM=16.5", "TILE_DIM=abc", "TILE_DIM=1e3", "TILE_DIM", "=4", "TILE_DIM=", "A=1,A=2", "A=1,"):
        with pytest.raises(argparse.ArgumentTypeError):
            args.config_values(bad)


def test_literal_values_keep_their_type():
    assert args.literal_values("a=4,b=0.5,relu=false,bias=yes,act=tanh") == \
        {"a": 4, "b": 0.5, "relu": False, "bias": True, "act": "tanh"}


@pytest.mark.parametrize("value", ["16.5", "abc"])
def test_fractional_or_text_config(capsys, value):
    code, _, err = run_cli(capsys, "check", "--list", "transpose_padded", "--config", f"TILE_DIM={value}")
    assert_one_line_error(code, err, "--config", f"TILE_DIM={value}", "not an integer")


def test_config_given_twice(capsys):
    code, _, err = run_cli(capsys, "check", "--list", "transpose_padded", "--config", "TILE_DIM=16,TILE_DIM=32")
    assert_one_line_error(code, err, "--config", "TILE_DIM", "twice")


def test_unknown_tunable_names_the_flag(capsys):
    code, _, err = run_cli(capsys, "check", "--list", "transpose_padded", "--config", "TILE=16")
    assert_one_line_error(code, err, "--config", "TILE", "tunables: BLOCK_ROWS, TILE_DIM")


@pytest.mark.parametrize("override, fragment", [
    ("rows=16.5", "takes an integer"),
    ("rows=abc", "takes an integer"),
    ("rows=-5", "positive integer"),
    ("rows=0", "positive integer"),
    ("dtype=float16", "float32"),
    ("rowz=5", "fields: cols, dtype, rows"),
])
def test_bad_problem_override(capsys, override, fragment):
    code, _, err = run_cli(capsys, "bench", "--device", "cpu", "transpose", "--problem", override)
    assert_one_line_error(code, err, "--problem", override, "transpose", fragment)


def test_problem_field_of_some_selected_workloads(capsys):
    # The conv2d family also holds the gemm stages, which have no relu: the field is checked where it exists.
    code, _, err = run_cli(capsys, "bench", "--device", "cpu", "conv2d", "--problem", "relu=maybe")
    assert_one_line_error(code, err, "--problem", "relu=maybe", "conv2d", "true or false")


def test_problem_too_large_for_the_host(capsys):
    code, _, err = run_cli(capsys, "bench", "--device", "cpu", "transpose", "--problem", "rows=10000000,cols=10000000")
    assert_one_line_error(code, err, "--problem", "rows=10000000,cols=10000000", "TiB", "host")


def test_problem_too_large_for_the_device_memory():
    device = SimpleNamespace(properties=SimpleNamespace(name="tiny GPU", total_memory=2**20))
    from warpbench.kernels import get_workload
    transpose = get_workload("transpose")
    problem = {"rows": 1024, "cols": 1024, "dtype": "float32"}
    with pytest.raises(args.UsageError, match=r"rows=1024,cols=1024: .* 8\.0 MiB .* tiny GPU's 1\.0 MiB"):
        args.check_fits(device, transpose, problem, "--problem", "rows=1024,cols=1024")
    args.check_fits(SimpleNamespace(properties=SimpleNamespace(name="big GPU", total_memory=2**30)),
                    transpose, problem, "--problem", "rows=1024,cols=1024")


@pytest.fixture
def vector_file(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.ones(10, np.float32))
    return str(path)


def test_unknown_scalar(capsys, vector_file):
    code, _, err = run_cli(capsys, "launch", "axpb_f32", vector_file, "--scalars", "a=2,q=1")
    assert_one_line_error(code, err, "--scalars", "q=1", "axpb", "scalars: a, b")


def test_scalar_of_a_workload_without_scalars(capsys, tmp_path):
    np.save(tmp_path / "m.npy", np.ones((3, 4), np.float32))
    code, _, err = run_cli(capsys, "launch", "transpose_padded", str(tmp_path / "m.npy"), "--scalars", "rows=3")
    assert_one_line_error(code, err, "--scalars", "rows=3", "scalars: none")


def test_out_into_a_missing_directory(capsys, vector_file, tmp_path):
    out = tmp_path / "missing_dir" / "z.npy"
    code, _, err = run_cli(capsys, "launch", "axpb_f32", vector_file, "--out", str(out))
    assert_one_line_error(code, err, "--out", str(out), "does not exist")


@pytest.mark.parametrize("name, fragment", [("z.txt", "does not end in .npy"), ("sub.npy", "is a directory")])
def test_out_that_is_no_npy_file(capsys, vector_file, tmp_path, name, fragment):
    (tmp_path / "sub.npy").mkdir()
    code, _, err = run_cli(capsys, "launch", "axpb_f32", vector_file, "--out", str(tmp_path / name))
    assert_one_line_error(code, err, "--out", name, fragment)


def _text(path):
    path.write_text("1 2 3\n")


def _npz(path):
    with path.open("wb") as f:
        np.savez(f, x=np.ones(3, np.float32))


def _objects(path):
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)


def _truncated(path):
    np.save(path, np.ones(1000, np.float32))
    path.write_bytes(path.read_bytes()[:200])


@pytest.mark.parametrize("write, fragment", [(_text, "not a .npy file"), (_npz, ".npz archive"),
                                             (_objects, "Python objects"), (_truncated, "damaged")])
def test_input_that_is_no_npy_array(capsys, tmp_path, write, fragment):
    path = tmp_path / "x.npy"
    write(path)
    code, _, err = run_cli(capsys, "launch", "axpb_f32", str(path))
    assert_one_line_error(code, err, "argument inputs", str(path), fragment)
    assert "pickle" not in err


def test_report_folder_that_is_a_file(capsys, tmp_path):
    path = tmp_path / "report"
    path.write_text("not a folder")
    code, _, err = run_cli(capsys, "run", "copy", "--out", str(path))
    assert_one_line_error(code, err, "--out", str(path), "not a directory")


def test_bad_setting_is_one_line(capsys, monkeypatch):
    monkeypatch.setenv("WARPBENCH_EMU_WATCHDOG", "abc")
    code, _, err = run_cli(capsys, "check", "--list", "copy")
    assert_one_line_error(code, err, "WARPBENCH_EMU_WATCHDOG", "'abc'")


class ReadsASetting(tuple):
    """Device names whose membership test reads a setting, as a converter might."""

    def __contains__(self, item):
        from warpbench.config import env_number
        env_number("WARPBENCH_PROBE", 0)
        return super().__contains__(item)


def test_bad_setting_read_while_parsing_keeps_its_message(capsys, monkeypatch):
    monkeypatch.setenv("WARPBENCH_PROBE", "lots")
    monkeypatch.setattr("warpbench.runtime.DEVICE_KINDS", ReadsASetting(("cuda", "emu", "cpu")))
    code, _, err = run_cli(capsys, "check", "--list", "--device", "cpu", "copy")
    assert_one_line_error(code, err, "--device", "WARPBENCH_PROBE='lots' is not a number")


def test_converter_keeps_warpbench_messages():
    @args.converter
    def failing(text):
        raise ConfigError(f"{text} is wrong")
    with pytest.raises(argparse.ArgumentTypeError, match="^x is wrong$"):
        failing("x")


@pytest.mark.parametrize("name, value", [("WARPBENCH_EMU_WATCHDOG", "-1"), ("WARPBENCH_EMU_STACK_KIB", "8"),
                                         ("WARPBENCH_EMU_NO_TOOLKIT", "maybe"), ("WARPBENCH_FLOATX", "float16"),
                                         ("NVTX_DISABLE", "maybe")])
def test_every_setting_checked_before_work_in_a_fresh_process(name, value):
    env = {**os.environ, name: value}
    done = subprocess.run([sys.executable, "-m", "warpbench", "check", "--list", "copy"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"warpbench: error: {name}="), done.stderr


def test_settings_table_lists_every_setting_the_package_reads():
    read = set()
    for path in (REPO / "warpbench").rglob("*.py"):
        read |= set(re.findall(r"env_(?:number|flag|choice)\(\s*\"((?:WARPBENCH|NVTX)_\w+)\"", path.read_text()))
    assert read - {"WARPBENCH_DEBUG"} == set(args.SETTINGS)
    import importlib
    for module, reader, *_ in args.SETTINGS.values():
        assert callable(getattr(importlib.import_module(module), reader))


def test_known_scalars_are_the_ones_the_workload_reads():
    from warpbench.kernels import get_workload
    conv = get_workload("conv2d")
    inputs = {"x": np.ones((1, 2, 6, 6), np.float32), "w": np.ones((3, 2, 3, 3), np.float32),
              "b": np.ones(3, np.float32)}
    problem = args.problem_from_arrays(conv, inputs, {"stride": 2, "padding": 1, "relu": True})
    assert (problem["P"], problem["pad_h"], problem["relu"]) == (3, 1, True)
    with pytest.raises(args.UsageError, match=r"^argument --scalars: pad=1: conv2d has no scalar 'pad' "
                                              r"\(scalars: bias, dilation, padding, relu, stride\)$"):
        args.problem_from_arrays(conv, inputs, {"pad": 1})
