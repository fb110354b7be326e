"""GEMV kernels on the emulator: awkward shapes, both orientations, the config space, schedules and errors."""
import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import ConfigError, DTypeError, ShapeError
from warpbench.kernels import get, select

VARIANTS = [s.name for s in select(["gemv"])]
# One problem per orientation: N not a multiple of 4 (scalar path) and a multiple (vector path).
SWEEP_PROBLEMS = [
    {"M": 45, "N": 70, "trans": 0, "alpha": 1.5, "beta": -0.5, "dtype": "float32"},
    {"M": 37, "N": 68, "trans": 1, "alpha": -2.0, "beta": 1.0, "dtype": "float32"},
    {"M": 37, "N": 68, "trans": 0, "alpha": 1.0, "beta": 0.0, "dtype": "float32"},
]


def test_family_has_the_study_variants():
    assert VARIANTS == ["sgemv_thread_row", "sgemv_warp_row", "sgemv_vec4_row", "dgemv_warp_row"]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


@pytest.mark.parametrize("name,config", [(n, c) for n in VARIANTS if n.startswith("s") for c in get(n).space()])
def test_every_config_computes_the_same_result(emu, assert_checks, name, config):
    assert_checks(check_kernel(emu.compile(name, config), SWEEP_PROBLEMS))


def test_run_on_user_arrays_matches_numpy(emu):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((19, 41)).astype(np.float32)
    x, y = rng.standard_normal(19).astype(np.float32), rng.standard_normal(41).astype(np.float32)
    got = emu.compile("sgemv_vec4_row").run(A, x, y, alpha=0.5, beta=2.0, trans=1)
    np.testing.assert_allclose(got, 0.5 * A.T @ x + 2.0 * y, rtol=1e-5, atol=1e-5)


def test_mismatched_vector_names_the_shapes(emu):
    A = np.zeros((3, 4), np.float32)
    with pytest.raises(ShapeError, match=r"gemv: op\(A\) is 3x4 but x has length 5 \(4 != 5\)"):
        emu.compile("sgemv_warp_row").run(A, np.zeros(5, np.float32), np.zeros(3, np.float32))
    with pytest.raises(ShapeError, match=r"op\(A\) is 4x3 but y has length 3 \(4 != 3\)"):
        emu.compile("sgemv_warp_row").run(A, np.zeros(3, np.float32), np.zeros(3, np.float32), trans=1)


def test_bad_ranks_and_dtypes_are_refused(emu):
    kernel = emu.compile("sgemv_warp_row")
    with pytest.raises(ShapeError, match="gemv: A must be a matrix"):
        kernel.run(np.zeros(3, np.float32), np.zeros(3, np.float32), np.zeros(3, np.float32))
    with pytest.raises(DTypeError, match="float64"):
        kernel.run(np.zeros((3, 3)), np.zeros(3), np.zeros(3))
    with pytest.raises(DTypeError, match="gemv: arrays must share one dtype"):
        kernel.run(np.zeros((3, 3), np.float32), np.zeros(3), np.zeros(3, np.float32))


def test_config_breaking_the_thread_limit_names_the_values(emu):
    with pytest.raises(ConfigError, match=r"sgemv_warp_row: config BLOCK_ROWS=64 breaks restriction '32 \* BLOCK_ROWS"):
        emu.compile("sgemv_warp_row", {"BLOCK_ROWS": 64})


def test_host_code_passes_every_check_problem(cpu, assert_checks):
    assert_checks(check_kernel(cpu.host_kernel("gemv")))
