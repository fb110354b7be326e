"""What the report says: sections from rows, the caller's markdown, resources and tuning."""
from warpbench.bench.report import document
from warpbench.bench.report.document import Chart, Table, Text, build_sections, speedups, text_parts
from warpbench.kernels import get
from tests.bench.test_report import sample_rows


def test_markdown_tables_become_tables_and_the_rest_text():
    parts = text_parts("| a | b |\n|---|---|\n| 1 | x |\n| 2 | y |\nFAIL k: wrong\n\n| lone |")
    assert parts == [Table(["a", "b"], [["1", "x"], ["2", "y"]]), Text("FAIL k: wrong"), Text("| lone |")]


def test_speedups_pair_host_code_with_numpy_on_the_same_problem():
    pairs = [(case, host.seconds, numpy.seconds) for case, host, numpy in speedups(sample_rows())]
    assert pairs == [("gemm 256x256x256 NN", 2e-3, 1e-3), ("softmax 1024x1024 float32", 4e-3, 5e-3),
                     ("transpose 2048x2048", 2e-3, 6e-3)]


def test_sections_in_reading_order_without_devices_specs_or_tuning():
    sections = build_sections({"check on emu": "| k | status |\n|--|--|\n| x | PASS |"}, sample_rows())
    assert [s.title for s in sections] == ["GFLOP/s per kernel", "GB/s per kernel", "Host code vs NumPy",
                                           "check on emu"]
    gflops, gbs = (next(p for p in s.parts if isinstance(p, Chart)) for s in sections[:2])
    assert "transpose" not in gflops.svg and "transpose" in gbs.svg, "0-FLOP rows only on the GB/s chart"


def test_a_gpu_device_without_timings_gets_a_stated_roofline(emu, cpu):
    sections = build_sections({}, sample_rows(), devices=(emu, cpu), specs=[get("sgemm_smem")])
    assert [s.title for s in sections][:2] == [f"Roofline: {emu.name}", f"Roofline: {cpu.name}"]
    assert any("hollow markers" in p.text for p in sections[0].parts if isinstance(p, Text))


def test_resources_are_skipped_with_the_reason_without_nvcc(monkeypatch):
    monkeypatch.setattr(document, "nvcc_missing", lambda: "nvcc not found: install the CUDA toolkit")
    section = document.resource_section([get("transpose_naive")])
    assert section.title == "nvcc resources (sm_90)"
    assert section.parts == [Text("Skipped: nvcc not found: install the CUDA toolkit.")]
    assert document.resource_section([]) is None


def test_tuning_comes_after_the_callers_tables(tmp_path, emu):
    from warpbench.tune.summary import device_tuning
    tuning = [device_tuning(emu, tmp_path / "tune.sqlite")]
    sections = build_sections({"check on emu": "| k | status |\n|--|--|\n| x | PASS |"}, [], tuning=tuning)
    assert [s.title for s in sections] == ["check on emu", f"Tuning on {emu.name}"]
