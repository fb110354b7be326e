"""Benchmark rows: one per distinct kernel and problem, next to the same-run copy reference."""
from warpbench.bench.suite import CopyReference, bench_host, bench_kernel, bench_problems, bench_rows
from warpbench.kernels import get, select

TINY = {"rows": 64, "cols": 48}


def test_cpu_rows_time_each_workload_once_with_its_numpy_baseline(cpu):
    rows = bench_rows(cpu, select(["transpose"]), adjust=lambda workload, problem: {**problem, **TINY})
    assert [(r.kernel, r.device, r.problem, r.error) for r in rows] == [
        ("transpose[hostcode]", "cpu", "64x48", ""), ("transpose[numpy]", "cpu", "64x48", "")]
    assert all(r.seconds > 0 and r.copy_gbs > 0 and r.fraction_of_copy > 0 for r in rows)


def test_emulator_rows_use_the_largest_check_problem(emu):
    rows = bench_rows(emu, [get("transpose_padded")], {"TILE_DIM": 16, "BLOCK_ROWS": 4})
    assert [(r.kernel, r.device, r.problem, r.config, r.error) for r in rows] == [
        ("transpose_padded", "emu", "257x255", "TILE_DIM=16,BLOCK_ROWS=4", "")]
    assert rows[0].copy_gbs > 0


def test_problems_follow_what_the_kernel_computes(cpu, emu):
    assert [p["dtype"] for p in bench_problems(cpu.compile("axpb_f32"))] == ["float32", "float64"]
    assert [p["dtype"] for p in bench_problems(emu.compile("axpb_f32"))] == ["float32"]


def test_failures_are_rows_with_the_error(cpu, emu):
    rows = bench_rows(cpu, [get("transpose_padded")], {"TILE_DIM": 16, "BLOCK_ROWS": 32})
    assert len(rows) == 1 and "breaks restriction" in rows[0].error and rows[0].kernel == "transpose_padded"
    tall = {"rows": 65536 * 32, "cols": 1, "dtype": "float32"}
    row = bench_kernel(emu, get("transpose_padded"), tall, CopyReference(emu))
    assert "exceeds sm_90's 65535 blocks along y" in row.error and row.problem == "2097152x1"


def test_bench_host_times_host_code_and_numpy(cpu):
    workload = get("transpose_padded").workload
    rows = bench_host(workload, {**TINY, "dtype": "float32"}, CopyReference(cpu))
    assert [r.kernel for r in rows] == ["transpose[hostcode]", "transpose[numpy]"] and not any(r.error for r in rows)
