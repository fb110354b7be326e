"""Exact memory metrics of the instrumented build on the book's transpose study and two GEMMs."""
import numpy as np
import pytest

from warpbench import emu
from warpbench.emu import instrument, memory_metrics

N = 64
LD, ST = "op_ld", "op_st"


def sectors_per_request(metrics, op):
    return metrics[f"l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_{op}.ratio"]


def ways(metrics, op):
    return metrics[f"derived__shared_wavefronts_per_request_{op}.ratio"]


def run_transpose(kernels, name):
    x = np.random.default_rng(1).standard_normal((N, N)).astype(np.float32)
    out = emu.empty((N, N), np.float32)
    launch = instrument.profile(kernels("study.cu").get_function(name), out, emu.to_device(x), np.int32(N),
                                grid=(N // 32, N // 32), block=(32, 8))
    expected = x if name == "copy_tile" else x.T
    np.testing.assert_array_equal(out.get(), expected)
    return memory_metrics.kernel_metrics(memory_metrics.counters(launch.sites))


@pytest.mark.parametrize("name, loads, stores", [("copy_tile", 4, 4), ("transpose_naive", 4, 32),
                                                 ("transpose_coalesced", 4, 4), ("transpose_padded", 4, 4)])
def test_transpose_study_global_sectors_per_request(kernels, name, loads, stores):
    metrics = run_transpose(kernels, name)
    assert sectors_per_request(metrics, LD) == loads and sectors_per_request(metrics, ST) == stores
    assert metrics["l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum"] == (N // 32) ** 2 * 8 * 4


def test_coalesced_transpose_reads_its_tile_with_32_way_bank_conflicts(kernels):
    metrics = run_transpose(kernels, "transpose_coalesced")
    requests = metrics["smsp__inst_executed_op_shared_ld.sum"]
    assert ways(metrics, LD) == 32 and ways(metrics, ST) == 1
    assert metrics["l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum"] == 31 * requests


def test_padded_transpose_has_no_bank_conflict(kernels):
    metrics = run_transpose(kernels, "transpose_padded")
    assert ways(metrics, LD) == 1 and ways(metrics, ST) == 1
    assert metrics["l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum"] == 0
    assert metrics["smsp__sass_data_bytes_mem_shared.sum"] == 2 * N * N * 4


def run_gemm(kernels, name, block):
    a = np.random.default_rng(2).standard_normal((N, N)).astype(np.float32)
    c = emu.empty((N, N), np.float32)
    launch = instrument.profile(kernels("study.cu").get_function(name), emu.to_device(a), emu.to_device(a), c,
                                np.int32(N), grid=(N // block[0], N // block[1]), block=block)
    np.testing.assert_allclose(c.get(), a @ a, rtol=1e-4, atol=1e-4)
    return memory_metrics.kernel_metrics(memory_metrics.counters(launch.sites))


def test_naive_gemm_counts_in_closed_form(kernels):
    metrics = run_gemm(kernels, "gemm_naive", (32, 8))
    warps = N * N // 32
    # Per warp and k: one request on A (one word for the warp: 1 sector), one on B (4 sectors).
    assert metrics["l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum"] == 2 * N * warps
    assert metrics["l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum"] == 5 * N * warps
    assert metrics["smsp__sass_data_bytes_mem_global_op_ld.sum"] == 2 * N * N * N * 4
    assert sectors_per_request(metrics, ST) == 4


def test_tiled_gemm_counts_in_closed_form(kernels):
    metrics = run_gemm(kernels, "gemm_tiled", (32, 32))
    warps, tiles = N * N // 32, N // 32
    assert metrics["l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum"] == 2 * tiles * warps
    assert sectors_per_request(metrics, LD) == 4
    assert metrics["smsp__inst_executed_op_shared_ld.sum"] == 2 * 32 * tiles * warps
    assert metrics["l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum"] == 0
    # N^3 multiply-adds read A and B once each from global in the naive kernel, once per 32 here.
    assert metrics["smsp__sass_data_bytes_mem_global_op_ld.sum"] == 2 * N * N * 4 * tiles


def test_source_lines_carry_the_metrics(kernels):
    x = np.zeros((N, N), np.float32)
    launch = instrument.profile(kernels("study.cu").get_function("transpose_naive"), emu.empty((N, N), np.float32),
                                emu.to_device(x), np.int32(N), grid=(2, 2), block=(32, 8))
    lines = memory_metrics.by_line(launch.sites)
    (only,) = lines.values()
    assert only.file.endswith("study.cu") and only.line == 13
    assert only.sectors_per_request == (4 + 32) / 2


def test_vectorised_loads_move_16_sectors_per_request_in_a_quarter_of_the_requests(kernels):
    x = np.arange(4 * 1024, dtype=np.float32)
    out = emu.empty(4 * 1024, np.float32)
    launch = instrument.profile(kernels("study.cu").get_function("copy_vec4"), out, emu.to_device(x),
                                grid=8, block=128)
    np.testing.assert_array_equal(out.get(), x)
    metrics = memory_metrics.kernel_metrics(memory_metrics.counters(launch.sites))
    assert metrics["l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum"] == 1024 // 32
    assert sectors_per_request(metrics, LD) == 16 and sectors_per_request(metrics, ST) == 16


def test_eight_byte_shared_accesses_take_two_wavefronts_without_conflict(kernels):
    x = np.arange(64, dtype=np.float64)
    out = emu.empty(64, np.float64)
    launch = instrument.profile(kernels("study.cu").get_function("stage_double"), out, emu.to_device(x),
                                grid=1, block=64)
    np.testing.assert_array_equal(out.get(), x[::-1])
    metrics = memory_metrics.kernel_metrics(memory_metrics.counters(launch.sites))
    assert ways(metrics, LD) == 2 and ways(metrics, ST) == 2
    assert metrics["l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum"] == 0


MIXED_SIZES = """
extern "C" void __tsan_read_range(void*, unsigned long);
extern "C" __global__ void mixed_sizes(char* g) {
    for (int k = 0; k < (blockIdx.x ? 3 : 1); ++k)
        __tsan_read_range(g + 8 * threadIdx.x, k == 2 && threadIdx.x >= 16 ? 8 : 4);
}
"""


def test_a_site_whose_access_sizes_start_to_differ_mid_block_keeps_exact_bytes_and_sectors():
    # Only a range callback changes size at one site; g++ emits none such, so the kernel calls it.
    kernel = emu.compile_module(MIXED_SIZES, filename="mixed.cu").get_function("mixed_sizes")
    launch = instrument.profile(kernel, emu.zeros(256, np.uint8), grid=2, block=32)
    (site,) = launch.sites
    assert (site.requests, site.lane_accesses) == (1 + 3, 32 + 3 * 32)
    assert site.bytes == 32 * 4 + 2 * 32 * 4 + 16 * 4 + 16 * 8
    assert site.sectors == 4 * 8   # each request: lanes' 8-byte slots, 256 bytes
