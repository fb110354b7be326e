"""write_report end to end: report.html, report.md with its SVG charts, results.json."""
import json
import re

from warpbench.bench.report import bench_table, write_report
from warpbench.bench.suite import BenchRow


def bench_row(kernel: str, problem: str, params: dict, seconds: float, moved: float, flops: float, *,
              device: str = "cpu", copy_gbs: float = 20.0, tunables: dict | None = None,
              workload: str = "") -> BenchRow:
    """A timed row as bench_case makes it (15 samples, 5 % spread)."""
    tunables = tunables or {}
    return BenchRow(kernel, device, problem, ",".join(f"{k}={v}" for k, v in tunables.items()), seconds, 0.05,
                    moved / seconds / 1e9, flops / seconds / 1e9, copy_gbs, workload=workload, params=params,
                    tunables=tunables, samples=15)


def sample_rows() -> list[BenchRow]:
    """Host code and NumPy for gemm, softmax and transpose (no FLOPs), and one failed kernel."""
    gemm = {"M": 256, "N": 256, "K": 256, "alpha": 1.0, "beta": 0.0, "trans_a": 0, "trans_b": 0, "dtype": "float32"}
    soft = {"rows": 1024, "cols": 1024, "dtype": "float32"}
    tran = {"rows": 2048, "cols": 2048, "dtype": "float32"}
    gemm_cost, soft_cost, tran_cost = (3 * 256 * 256 * 4, 2 * 256**3), (8 * 2**20, 5 * 2**20), (32 * 2**20, 0)
    return [
        bench_row("gemm[hostcode]", "256x256x256 NN", gemm, 2e-3, *gemm_cost, workload="gemm"),
        bench_row("gemm[numpy]", "256x256x256 NN", gemm, 1e-3, *gemm_cost, workload="gemm"),
        bench_row("softmax[hostcode]", "1024x1024 float32", soft, 4e-3, *soft_cost, workload="softmax"),
        bench_row("softmax[numpy]", "1024x1024 float32", soft, 5e-3, *soft_cost, workload="softmax"),
        bench_row("transpose[hostcode]", "2048x2048", tran, 2e-3, *tran_cost, workload="transpose", copy_gbs=30.0),
        bench_row("transpose[numpy]", "2048x2048", tran, 6e-3, *tran_cost, workload="transpose", copy_gbs=30.0),
        BenchRow("sgemm_smem", "cpu", "", "", 0.0, 0.0, 0.0, 0.0, 0.0, error="boom"),
    ]


def test_old_call_still_writes_every_file(tmp_path):
    rows = [BenchRow("copy", "cpu", "n=4", "", 1e-3, 0.01, 10.0, 0.0, 20.0),
            BenchRow("bad", "cpu", "n=4", "", 0, 0, 0, 0, 0, error="boom")]
    paths = write_report(tmp_path / "report", {"bench": bench_table(rows)}, rows, {"device": "cpu"})
    assert [p.name for p in paths[:3]] == ["report.md", "results.json", "report.html"]
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    data = json.loads(paths[1].read_text())
    assert data["rows"][0]["fraction_of_copy"] == 0.5 and data["meta"]["device"] == "cpu"
    assert data["rows"][1]["error"] == "boom" and data["rows"][1]["median_s"] is None


def sample_tuning(folder, emu, kernels=None) -> list:
    """What a fixture database in ``folder`` holds for ``emu`` (see tests.tune.test_summary)."""
    from tests.tune.test_summary import fixture_database
    from warpbench.tune.summary import device_tuning
    return [device_tuning(emu, fixture_database(folder / "tune.sqlite", emu), kernels)]


def test_report_holds_header_charts_tables_and_tidy_rows(tmp_path, cpu, emu):
    rows = sample_rows()
    paths = write_report(tmp_path / "report", {"check on cpu": "| kernel | status |\n|---|---|\n| gemm[hostcode] | PASS |"},
                         rows, {"kernel device": "emu"}, devices=(cpu,), tuning=sample_tuning(tmp_path, emu))
    page = paths[2].read_text()
    for title in ("Roofline: cpu", "GFLOP/s per kernel", "GB/s per kernel", "Host code vs NumPy", "check on cpu",
                  f"Tuning on {emu.name}", "Tuning: transpose_padded on emu", "Tuning: copy on emu"):
        assert f">{title}" in page, title
    for header in ("CPU", "cores", "GPU", "libraries", "nvcc", "g++", "OpenMP threads", "samples", "kernel device"):
        assert f"<th>{header}</th>" in page, header
    assert page.count("<svg") == 8 and "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "the page must not load anything"
    assert '<td class="PASS">PASS</td>' in page
    markdown = paths[0].read_text()
    charts = re.findall(r"!\[[^\]]*\]\(([^)]+\.svg)\)", markdown)
    assert sorted(charts) == sorted(p.name for p in paths[3:]) and len(charts) == 8
    assert re.search(r"\| gemm\[hostcode\] +\| PASS +\|", markdown)
    results = json.loads(paths[1].read_text())
    tidy = results["rows"]
    assert tidy[0]["kernel"] == "gemm" and tidy[0]["implementation"] == "hostcode" and tidy[0]["K"] == 256
    assert tidy[0]["samples"] == 15 and tidy[0]["dtype"] == "float32"
    assert [(r["kernel"], r["objective"]) for r in results["tuning"]] == [("copy", "model")] + [
        ("transpose_padded", "model")] * 6
