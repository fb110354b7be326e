"""GEMM progression on the emulator: awkward shapes in all four transpose combinations, samples
of every configuration space, schedule independence, views, errors, and the host code."""
import random

import numpy as np
import pytest

from warpbench.check import check_kernel, check_schedules, problems_for
from warpbench.errors import ConfigError, DTypeError, ShapeError, UnknownNameError
from warpbench.kernels import get, select
from warpbench.kernels.specs.gemm import GEMM, gemm_problem

VARIANTS = [s.name for s in select(["gemm"])]
SGEMM = [n for n in VARIANTS if n.startswith("sgemm_")]
SHARED_MEMORY = [n for n in VARIANTS if n not in ("sgemm_naive", "dgemm_naive")]
TRANSPOSES = {"NN": (0, 0), "NT": (0, 1), "TN": (1, 0), "TT": (1, 1)}

# Ragged against every default tile (1 row, 32/64/128 +- 1, primes) and, at 132 x 68 x 20, extents
# that are multiples of 4 so the float4 paths meet ragged edges too.
SWEEP_PROBLEMS = [gemm_problem(129, 67, 37, 1, 0, 1.5, -0.5), gemm_problem(132, 68, 20, 0, 1, 1.0, 1.0),
                  gemm_problem(1, 5, 3, 1, 1)]
CONFIG_SAMPLES = 3


def test_family_has_the_progression():
    assert VARIANTS == ["sgemm_naive", "sgemm_smem", "sgemm_blocktile_1d", "sgemm_blocktile_2d",
                        "sgemm_vectorized", "sgemm_warptile", "sgemm_double_buffer", "dgemm_naive", "dgemm_smem"]


def test_check_problems_cover_every_transpose_and_alpha_beta():
    problems = GEMM.check_problems
    assert {(p["trans_a"], p["trans_b"]) for p in problems} == set(TRANSPOSES.values())
    assert any(p["beta"] != 0 and p["alpha"] != 1 for p in problems)
    assert any(p["K"] == 0 for p in problems)


@pytest.mark.parametrize("ops", TRANSPOSES)
@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name, ops):
    kernel = emu.compile(name)
    problems = [p for p in problems_for(kernel) if (p["trans_a"], p["trans_b"]) == TRANSPOSES[ops]]
    assert_checks(check_kernel(kernel, problems))


def _config_sample(name):
    """The default configuration and a few others, the same ones every run."""
    spec = get(name)
    others = [c for c in spec.space() if c != spec.default_config]
    return [spec.default_config] + random.Random(name).sample(others, min(CONFIG_SAMPLES, len(others)))


@pytest.mark.parametrize("name,config", [(n, c) for n in SGEMM for c in _config_sample(n)],
                         ids=lambda v: ",".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else v)
def test_sampled_configs_compute_the_same_result(emu, assert_checks, name, config):
    assert_checks(check_kernel(emu.compile(name, config), SWEEP_PROBLEMS))


@pytest.mark.parametrize("name", SHARED_MEMORY)
def test_shared_memory_kernels_do_not_depend_on_the_schedule(emu, name):
    # Every thread order, block order and shared-memory poison gives bit-identical results: no
    # missing barrier, no read of a tile element nobody wrote.
    problem = SWEEP_PROBLEMS[0] if name.startswith("s") else gemm_problem(33, 65, 17, 1, 0, dtype="float64")
    report = check_schedules(emu.compile(name), problem, seed=1)
    assert report.identical, report.summary()


@pytest.mark.parametrize("name", ["sgemm_vectorized", "sgemm_double_buffer"])
def test_first_axis_views_take_the_float4_or_the_scalar_path(emu, name):
    # A[1] of a (2, 9, 12) array starts 432 bytes in with rows of 12: float4 loads. A[1] of a
    # (3, 5, 7) array starts 140 bytes in (not 16-byte aligned) with rows of 7: scalar loads.
    rng = np.random.default_rng(5)
    kernel = emu.compile(name)
    for stack_shape, view in (((2, 9, 12), 1), ((3, 5, 7), 1)):
        a_stack = rng.uniform(-1, 1, stack_shape).astype(np.float32)
        a = a_stack[view]
        b = rng.uniform(-1, 1, (a.shape[1], 6)).astype(np.float32)
        c = emu.empty((a.shape[0], 6), np.float32, fill=np.nan)
        problem = gemm_problem(a.shape[0], 6, a.shape[1])
        kernel.launch_problem(problem, {"C": c, "A": emu.to_device(a_stack)[view], "B": emu.to_device(b)})
        np.testing.assert_allclose(c.get(), a @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("trans_a,trans_b", TRANSPOSES.values(), ids=TRANSPOSES)
def test_run_on_user_arrays_matches_numpy(emu, trans_a, trans_b):
    rng = np.random.default_rng(2)
    a = rng.standard_normal((19, 23) if trans_a else (23, 19)).astype(np.float32)
    b = rng.standard_normal((11, 19) if trans_b else (19, 11)).astype(np.float32)
    c = rng.standard_normal((23, 11)).astype(np.float32)
    got = emu.compile("sgemm_double_buffer").run(a, b, c, alpha=0.5, beta=-1.0, trans_a=trans_a, trans_b=trans_b)
    expected = 0.5 * (a.T if trans_a else a) @ (b.T if trans_b else b) - c
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def _problem_of(arrays, **scalars):
    return GEMM.problem_of(arrays, scalars)


def test_mismatched_inner_dimensions_name_the_shapes(emu):
    A, B, C = np.zeros((3, 4), np.float32), np.zeros((5, 6), np.float32), np.zeros((3, 6), np.float32)
    with pytest.raises(ShapeError, match=r"^gemm: A is 3x4 but B is 5x6 \(inner dimensions 4 != 5\)$"):
        emu.compile("sgemm_warptile").run(A, B, C)
    with pytest.raises(ShapeError, match=r"A is 3x4 \(transposed: op\(A\) is 4x3\) but B is 5x6 "
                                         r"\(transposed: op\(B\) is 6x5\) \(inner dimensions 3 != 6\)"):
        _problem_of({"A": A, "B": B, "C": C}, trans_a=True, trans_b=True)


def test_wrong_c_rank_and_dtype_are_refused():
    A, B = np.zeros((3, 4), np.float32), np.zeros((4, 6), np.float32)
    with pytest.raises(ShapeError, match=r"gemm: C is 6x3 but op\(A\) op\(B\) is 3x6"):
        _problem_of({"A": A, "B": B, "C": np.zeros((6, 3), np.float32)})
    with pytest.raises(ShapeError, match=r"gemm: B must be a matrix \(2-D\), got shape \(4,\)"):
        _problem_of({"A": A, "B": np.zeros(4, np.float32), "C": np.zeros((3, 6), np.float32)})
    with pytest.raises(DTypeError, match="gemm: arrays must share one dtype, got A float32, B float64"):
        _problem_of({"A": A, "B": B.astype(np.float64), "C": np.zeros((3, 6), np.float32)})
    with pytest.raises(DTypeError, match="gemm: A has dtype int32"):
        _problem_of({"A": A.astype(np.int32), "B": B, "C": np.zeros((3, 6), np.float32)})
    with pytest.raises(UnknownNameError, match="gemm: unknown argument transa"):
        _problem_of({"A": A, "B": B, "C": np.zeros((3, 6), np.float32)}, transa=True)


def test_float64_arrays_are_refused_by_a_float32_kernel(emu):
    A, B, C = np.zeros((3, 4)), np.zeros((4, 6)), np.zeros((3, 6))
    with pytest.raises(DTypeError, match="sgemm_vectorized: dtype float64 not supported"):
        emu.compile("sgemm_vectorized").run(A, B, C)


def test_config_breaking_a_restriction_names_the_values():
    with pytest.raises(ConfigError, match=r"sgemm_warptile: config THREADS=128, .*WM=32.* breaks restriction "
                                          r"'\(BM // WM\) \* \(BN // WN\) \* 32 == THREADS' \(one warp"):
        get("sgemm_warptile").resolve({"WM": 32})
    with pytest.raises(ConfigError, match=r"sgemm_blocktile_1d: config BM=128, BN=128, BK=8, TM=4 breaks "
                                          r"restriction '32 <= BM // TM \* BN <= 1024'"):
        get("sgemm_blocktile_1d").resolve({"BM": 128, "BN": 128, "TM": 4})
    with pytest.raises(ConfigError, match=r"'2 \* \(BM \+ BN\) \* BK \* 4 <= 49152'"):
        get("sgemm_double_buffer").resolve({"THREADS": 512, "BM": 256, "BN": 256, "BK": 32, "WM": 64, "WN": 64,
                                            "WNITER": 2, "TM": 8, "TN": 4, "MIN_BLOCKS": 1})
    with pytest.raises(UnknownNameError, match="sgemm_smem: unknown tunable BM"):
        get("sgemm_smem").resolve({"BM": 64})


def test_default_configs_launch_within_the_device_limits(emu):
    for name in VARIANTS:
        spec = get(name)
        for problem in GEMM.bench_problems:
            emu.check_launch(name, spec.geometry(problem, spec.default_config, emu.properties))


def test_host_code_passes_every_check_problem(cpu, assert_checks):
    assert_checks(check_kernel(cpu.host_kernel("gemm")))
