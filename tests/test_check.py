"""The correctness harness: comparisons, poison detection, results per problem."""
import numpy as np
import pytest

from warpbench.check import check_problem, check_schedules, compare, poison_value, problems_for
from warpbench.errors import WarpbenchError


def test_compare_reports_count_first_index_and_poison():
    expected = np.arange(12, dtype=np.float32).reshape(3, 4)
    got = expected.copy()
    got[1, 2] = np.nan
    got[2, 0] += 1
    cmp = compare("out", expected, got, 1e-6, 1e-6)
    assert not cmp.ok and cmp.bad == 2 and cmp.first_bad == (1, 2)
    assert "never written" in cmp.message and "got nan, expected 6.0" in cmp.message


def test_compare_accepts_tolerance_and_matching_nans():
    expected = np.array([1.0, np.nan, 3.0])
    assert compare("y", expected, expected + 1e-9, 1e-6, 1e-6).ok
    assert not compare("y", expected, np.array([1.0, 2.0, 3.0]), 1e-6, 1e-6).ok


def test_compare_shapes_and_integers():
    assert "shape (2,)" in compare("i", np.zeros(3, np.int32), np.zeros(2, np.int32), 0, 0).message
    assert not compare("i", np.array([1, 2], np.int32), np.array([1, 3], np.int32), 0, 0).ok


def test_poison_values():
    assert np.isnan(poison_value(np.float32))
    assert poison_value(np.int32) == np.iinfo(np.int32).min


def test_host_kernel_checks_pass(cpu):
    kernel = cpu.host_kernel("transpose")
    result = check_problem(kernel, {"rows": 33, "cols": 65, "dtype": "float32"})
    assert result.ok, result.message
    assert result.outputs["out"].shape == (65, 33)


def test_a_wrong_implementation_fails_with_the_position(cpu, monkeypatch):
    kernel = cpu.host_kernel("transpose")

    def forgets_last_column(problem, buffers):
        buffers["out"][:-1] = buffers["in"].T[:-1]
    monkeypatch.setattr(kernel, "launch_problem", forgets_last_column)
    result = check_problem(kernel, {"rows": 7, "cols": 13, "dtype": "float32"})
    assert not result.ok and "(12, 0)" in result.message and "never written" in result.message


def test_host_code_is_checked_at_every_dtype_of_its_workload(cpu, emu):
    dtypes = {p["dtype"] for p in problems_for(cpu.compile("axpb_f32"))}
    assert dtypes == {"float32", "float64"}
    assert {p["dtype"] for p in problems_for(emu.compile("axpb_f32"))} == {"float32"}


def test_empty_problems_pass_without_a_launch(emu):
    result = check_problem(emu.compile("transpose_padded"), {"rows": 0, "cols": 5, "dtype": "float32"})
    assert result.ok, result.message
    assert result.outputs["out"].shape == (5, 0)


def test_schedule_checks_refuse_host_code_in_one_line(cpu):
    with pytest.raises(WarpbenchError, match=r"^transpose\[hostcode\]: schedule checks need a single-launch kernel"):
        check_schedules(cpu.compile("transpose_padded"), {"rows": 4, "cols": 4, "dtype": "float32"})
