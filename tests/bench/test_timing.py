"""Timing statistics and report writing (no speed assertions: speed lives in benchmarks)."""
import json

from warpbench.bench.report import bench_table, fmt_seconds, table, write_report
from warpbench.bench.suite import BenchRow
from warpbench.bench.timing import Measurement, measure


def test_measure_counts_calls_and_batches_short_work(cpu):
    calls = []
    m = measure(lambda: calls.append(1), cpu, warmup=2, repeat=5)
    assert len(m.samples) == 5 and m.calls_per_sample > 1
    assert len(calls) == 2 + 1 + 5 * m.calls_per_sample
    assert m.minimum <= m.median


def test_measurement_statistics():
    m = Measurement((1.0, 2.0, 3.0, 4.0, 5.0), 1)
    assert m.median == 3.0 and m.minimum == 1.0 and 0 < m.spread < 1.5


def test_tables_and_units():
    assert fmt_seconds(0.00123) == "1.23 ms" and fmt_seconds(2.5e-6) == "2.5 µs"
    text = table(["a", "bb"], [[1, "x"], [22, "yyy"]])
    assert text.splitlines()[0] == "| a   | bb   |" and text.splitlines()[2] == "| 1   | x    |"


def test_write_report(tmp_path):
    rows = [BenchRow("copy", "cpu", "n=4", "", 1e-3, 0.01, 10.0, 0.0, 20.0),
            BenchRow("bad", "cpu", "n=4", "", 0, 0, 0, 0, 0, error="boom")]
    assert "0.50" in bench_table(rows) and "error: boom" in bench_table(rows)
    paths = write_report(tmp_path / "report", {"bench": bench_table(rows)}, rows, {"device": "cpu"})
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    data = json.loads(paths[1].read_text())
    assert data["rows"][0]["fraction_of_copy"] == 0.5 and data["meta"]["device"] == "cpu"


def test_measure_stops_once_the_spread_is_below_the_target_and_flushes_before_each_sample(cpu):
    flushes = []
    steady = measure(lambda: None, cpu, warmup=1, repeat=40, flush=lambda: flushes.append(1), target_spread=10.0)
    assert len(steady.samples) == 5 and len(flushes) == 5 and steady.calls_per_sample == 1
    capped = measure(lambda: None, cpu, warmup=1, repeat=7, flush=lambda: None, target_spread=0.0)
    assert len(capped.samples) == 7 or capped.spread == 0.0
