"""Benchmark cases: built one way (case_of) for host code, NumPy and registry kernels."""
import numpy as np
import pytest

from warpbench.bench.cases import SkipBenchmark, case_of, host_case, kernel_case
from warpbench.errors import UnknownNameError, VerificationError

SMALL = {"rows": 33, "cols": 65, "dtype": "float32"}


@pytest.mark.parametrize("impl", ["hostcode", "numpy"])
def test_host_cases_run_and_verify(impl):
    case = host_case("transpose", SMALL, impl)
    assert case.name == f"transpose[{impl}]" and case.device.kind == "cpu"
    case.run()
    case.verify()
    assert case.bytes_moved == 8 * 33 * 65


def test_a_wrong_result_fails_verification():
    case = host_case("transpose", SMALL)
    case.run()
    case.buffers["out"][0, 0] += 1
    with pytest.raises(VerificationError, match=r"transpose\[hostcode\] at 33x65: out: 1 of 2145 elements wrong"):
        case.verify()


def test_kernel_cases_on_the_emulator_fill_in_the_dtype_and_verify():
    case = kernel_case("transpose_padded", {"rows": 33, "cols": 65}, {"TILE_DIM": 16, "BLOCK_ROWS": 4}, device="emu")
    assert case.problem["dtype"] == "float32" and case.name == "transpose_padded"
    assert np.isnan(case.buffers["out"].get()).all()
    case.run()
    case.verify()
    assert case.measure(warmup=1, repeat=3).median > 0


def test_case_of_is_what_kernel_case_builds(emu):
    kernel = emu.compile("transpose_naive")
    case = case_of(kernel, SMALL, seed=3)
    np.testing.assert_array_equal(case.inputs["in"], kernel_case("transpose_naive", SMALL, device="emu",
                                                                 seed=3).inputs["in"])
    case.run()
    case.verify()


def test_unusable_cases_are_skipped_or_named():
    with pytest.raises(SkipBenchmark, match="breaks restriction"):
        kernel_case("transpose_padded", SMALL, {"TILE_DIM": 16, "BLOCK_ROWS": 32}, device="emu")
    with pytest.raises(UnknownNameError, match="unknown host implementation 'fortran'"):
        host_case("transpose", SMALL, "fortran")
