"""What the commands print: --json rows that parse (and nothing else on stdout), tables
through tabulate, progress on a terminal only, and WARPBENCH_DEBUG=yes that does not crash."""
import io
import json
import os
import subprocess
import sys

from warpbench.cli import progress
from warpbench.cli.tables import table

from tests.cli.support import run_cli


def test_check_json_has_a_row_per_kernel(capsys):
    code, out, err = run_cli(capsys, "check", "--device", "cpu", "--json", "copy", "transpose")
    rows = json.loads(out)
    assert code == 0 and err == ""
    assert [r["kernel"] for r in rows] == ["copy[hostcode]", "transpose[hostcode]"]
    for row in rows:
        assert row["device"] == "cpu" and row["status"] == "PASS" and row["failures"] == []
        assert row["passed"] == len(row["problems"]) > 0 and row["max_abs_err"] == 0.0


def test_check_json_reports_an_error_row(capsys, monkeypatch):
    from warpbench.errors import CompileError
    from warpbench.runtime import get_device

    def broken(spec, config=None):
        raise CompileError(f"{spec.name}: nvcc said no")
    monkeypatch.setattr(get_device("cpu"), "compile", broken)
    code, out, _ = run_cli(capsys, "check", "--device", "cpu", "--json", "copy")
    rows = json.loads(out)
    assert code == 1 and [r["status"] for r in rows] == ["ERROR"]
    assert rows[0]["failures"] == ["copy: copy: nvcc said no"] and rows[0]["max_abs_err"] is None


def test_check_list_json(capsys):
    code, out, _ = run_cli(capsys, "check", "--list", "--json", "transpose_padded")
    [row] = json.loads(out)
    assert code == 0 and row["kernel"] == "transpose_padded" and row["workload"] == "transpose"
    assert row["tunables"]["TILE_DIM"] == [16, 32, 64] and row["dtypes"] == ["float32"]


def test_check_compile_json_has_the_resources_per_arch(capsys):
    code, out, _ = run_cli(capsys, "check", "--compile", "--json", "transpose_padded")
    rows = json.loads(out)
    assert code == 0 and [r["arch"] for r in rows] == ["sm_80", "sm_90"]
    for row in rows:
        assert row["static_shared"] == 4224 and row["spill_bytes"] == 0 and row["status"] == "ok"
        assert row["registers"] > 0 and 0 < row["occupancy"] <= 1


def test_bench_json_rows_and_nothing_else_on_stdout(capsys):
    code, out, err = run_cli(capsys, "bench", "--device", "cpu", "--json", "transpose", "--problem", "rows=64,cols=32")
    rows = json.loads(out)
    assert code == 0 and err == ""
    assert [r["kernel"] for r in rows] == ["transpose[hostcode]", "transpose[numpy]"]
    assert all(r["problem"] == "64x32" and r["seconds"] > 0 and r["gbs"] > 0 for r in rows)


def test_the_emulator_note_goes_to_stderr(capsys):
    code, out, err = run_cli(capsys, "bench", "--device", "emu", "--json", "copy")
    row = json.loads(out)[0]
    assert code == 0 and row["device"] == "emu"
    assert isinstance(row["config"], dict) and set(row["config"]) == {"BLOCK", "BLOCKS_PER_SM"}, row["config"]
    assert err.strip() == "note: emu timings measure the CPU emulator, not a GPU"


def test_tables_are_github_markdown():
    text = table(["kernel", "time"], [["copy", "1.5 ms"], ["transpose[numpy]", None]])
    assert text.splitlines() == ["| kernel           | time   |",
                                 "|------------------|--------|",
                                 "| copy             | 1.5 ms |",
                                 "| transpose[numpy] |        |"]


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self):
        return True


def test_progress_only_on_a_terminal(monkeypatch):
    items = ["copy[numpy]", "gemm"]
    assert list(progress.track(items, "check on cpu")) == items  # pytest's stderr is no terminal
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert list(progress.track(items, "check on cpu")) == items
    assert "check on cpu" in terminal.getvalue() and "copy[numpy]" in terminal.getvalue()


def test_debug_yes_does_not_crash():
    env = {**os.environ, "WARPBENCH_DEBUG": "yes"}
    run = subprocess.run([sys.executable, "-m", "warpbench", "check", "--list", "copy"], env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0 and "copy" in run.stdout and "Traceback" not in run.stderr


def test_no_progress_while_debug_logging(monkeypatch):
    from warpbench import config
    monkeypatch.setattr(sys, "stderr", Terminal())
    monkeypatch.setattr(config, "DEBUG", 1)
    assert list(progress.track([1, 2], "bench on cpu")) == [1, 2] and sys.stderr.getvalue() == ""
