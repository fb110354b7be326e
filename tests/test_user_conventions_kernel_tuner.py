"""A Kernel Tuner user's first tests after ``from warpbench.tune import tune_kernel``: its
documented arguments (restrictions, answer, atol, grid divisors, strategies) on the emulator,
and the README's ``warpbench.tune`` for registry kernels."""
import numpy as np
import pytest

import warpbench as wb
from warpbench.errors import ConfigError
from warpbench.tune import tune_kernel
from tests.tune.test_kernel_tuner import KERNEL_STRING

VECTOR_ADD = KERNEL_STRING   # Kernel Tuner's example kernel, verbatim
SIZE = 10_007


@pytest.fixture
def db(tmp_path):
    """A private tuning database."""
    return tmp_path / "tune.sqlite"


def vector_add_args(size=SIZE):
    a = np.random.randn(size).astype(np.float32)
    b = np.random.randn(size).astype(np.float32)
    return [np.zeros_like(b), a, b, np.int32(size)], a + b


def test_vector_add_returns_results_and_env(db):
    args, expected = vector_add_args()
    tune_params = {"block_size_x": [32, 64, 128, 256, 512]}
    results, env = tune_kernel("vector_add", VECTOR_ADD, SIZE, args, tune_params,
                               answer=[expected, None, None, None], device="emu", database=db)
    assert sorted(r["block_size_x"] for r in results) == tune_params["block_size_x"]
    assert all(r["status"] == "verified" and isinstance(r["model"], float) for r in results)
    assert env["best_config"]["block_size_x"] in tune_params["block_size_x"]
    assert env["problem_size"] == [SIZE, 1, 1] and env["objective"] == "model"
    assert np.array_equal(args[0], np.zeros(SIZE, np.float32)), "the caller's arrays are not written"


def test_restrictions_as_strings_prune_the_space(db):
    args, expected = vector_add_args()
    results, env = tune_kernel("vector_add", VECTOR_ADD, SIZE, args, {"block_size_x": [32, 64, 128, 256]},
                               restrictions=["block_size_x >= 64", "block_size_x <= 128"],
                               answer=[expected, None, None, None], device="emu", database=db)
    assert sorted(r["block_size_x"] for r in results) == [64, 128]


def test_restrictions_as_a_function(db):
    args, expected = vector_add_args()
    results, _ = tune_kernel("vector_add", VECTOR_ADD, SIZE, args, {"block_size_x": [32, 64, 128]},
                             restrictions=lambda p: p["block_size_x"] > 32, answer=[expected, None, None, None],
                             device="emu", database=db)
    assert sorted(r["block_size_x"] for r in results) == [64, 128]
    by_name, _ = tune_kernel("vector_add", VECTOR_ADD, SIZE, args, {"block_size_x": [32, 64, 128]},
                             restrictions=["block_size_x < 128", lambda block_size_x: block_size_x != 32],
                             answer=[expected, None, None, None], device="emu", database=db)
    assert [r["block_size_x"] for r in by_name] == [64]


def test_a_restriction_function_that_raises_is_one_line(db):
    args, expected = vector_add_args()
    with pytest.raises(ConfigError, match=r"restriction <lambda>\(p\) \[Python, [0-9a-f]{12}\] raised KeyError"):
        tune_kernel("vector_add", VECTOR_ADD, SIZE, args, {"block_size_x": [32, 64]},
                    restrictions=lambda p: p["tile"] > 1, answer=[expected, None, None, None], device="emu",
                    database=db)


def test_atol_decides_what_counts_as_correct(db):
    args, expected = vector_add_args()
    off = VECTOR_ADD.replace("c[i] = a[i] + b[i];", "c[i] = a[i] + b[i] + 1e-3f;")
    loose, env = tune_kernel("vector_add", off, SIZE, args, {"block_size_x": [128]},
                             answer=[expected, None, None, None], atol=1e-2, device="emu", database=db)
    assert loose[0]["status"] == "verified" and env["best_config"] == {"block_size_x": 128}
    strict, env = tune_kernel("vector_add", off, SIZE, args, {"block_size_x": [128]},
                              answer=[expected, None, None, None], atol=1e-5, device="emu", database=db)
    assert strict[0]["status"] == "failed" and env["best_config"] is None
    assert strict[0]["max_error"] == pytest.approx(1e-3, rel=0.1)


def test_a_wrong_config_fails_and_is_never_best(db):
    args, expected = vector_add_args()
    broken = VECTOR_ADD.replace("if (i<n)", "if (i < n - (block_size_x == 64))")
    results, env = tune_kernel("vector_add", broken, SIZE, args, {"block_size_x": [64, 128]},
                               answer=[expected, None, None, None], device="emu", database=db)
    status = {r["block_size_x"]: r["status"] for r in results}
    assert status == {64: "failed", 128: "verified"} and env["best_config"] == {"block_size_x": 128}
    assert next(r for r in results if r["block_size_x"] == 64)["model"] == "RuntimeFailedConfig"


def test_without_an_answer_nothing_is_verified_against_numpy(db):
    args, _ = vector_add_args()
    results, env = tune_kernel("vector_add", VECTOR_ADD, SIZE, args, {"block_size_x": [64, 128]},
                               device="emu", database=db)
    assert len(results) == 2 and env["best_config"] is not None


def test_two_dimensional_problem_with_grid_divisors_and_block_size_names(db):
    code = """
    __global__ void scale(float *out, const float *in, int w, int h) {
      int x = blockIdx.x * bx + threadIdx.x;
      int y0 = (blockIdx.y * by + threadIdx.y) * tile;
      for (int t = 0; t < tile; t++) { int y = y0 + t; if (x < w && y < h) out[y * w + x] = 2 * in[y * w + x]; }
    }"""
    w, h = 100, 60
    image = np.random.rand(h, w).astype(np.float32)
    results, _ = tune_kernel("scale", code, (w, h), [np.zeros_like(image), image, np.int32(w), np.int32(h)],
                             {"bx": [16, 32], "by": [1, 2, 4], "tile": [1, 2]}, block_size_names=["bx", "by"],
                             grid_div_y=["by", "tile"], restrictions=["bx * by >= 32"],
                             answer=[2 * image, None, None, None], device="emu", database=db)
    assert len(results) == 10 and all(r["status"] == "verified" for r in results)


def test_random_sample_with_max_fevals(db):
    args, expected = vector_add_args()
    results, env = tune_kernel("vector_add", VECTOR_ADD, SIZE, args, {"block_size_x": [32 * i for i in range(1, 17)]},
                               strategy="random_sample", strategy_options={"max_fevals": 3},
                               answer=[expected, None, None, None], device="emu", database=db, verbose=True)
    assert len(results) == 3 and env["strategy"] == "random"


def test_kernel_source_from_a_file(db, tmp_path):
    path = tmp_path / "vector_add.cu"
    path.write_text(VECTOR_ADD)
    args, expected = vector_add_args()
    results, _ = tune_kernel("vector_add", str(path), SIZE, args, {"block_size_x": [128]},
                             answer=[expected, None, None, None], device="emu", database=db, lang="CUDA")
    assert results[0]["status"] == "verified"


def test_bad_inputs_are_one_clear_error():
    args, _ = vector_add_args()
    with pytest.raises(ConfigError, match="unsupported option.*smem_args"):
        tune_kernel("vector_add", VECTOR_ADD, SIZE, args, {"block_size_x": [128]}, smem_args={})
    with pytest.raises(ConfigError, match="block_size_x"):
        tune_kernel("vector_add", VECTOR_ADD, SIZE, args, {"block_size_x": [1.5]})


def test_warpbench_tune_then_compile_uses_the_best_config(monkeypatch, tmp_path):
    monkeypatch.setenv("WARPBENCH_TUNE_DB", str(tmp_path / "tune.sqlite"))
    result = wb.tune("transpose_padded", device="emu", budget=2, strategy="random", seed=3)
    best = result.best.config
    assert result.best.usable and len(result.evaluations) == 2
    kernel = wb.device("emu").compile("transpose_padded")
    assert dict(kernel.config) == dict(best)
    a = np.random.rand(33, 65).astype(np.float32)
    assert np.array_equal(kernel.run(a), a.T)


def test_a_verify_function_decides_instead_of_atol(db):
    args, expected = vector_add_args()
    off = VECTOR_ADD.replace("c[i] = a[i] + b[i];", "c[i] = a[i] + b[i] + 1e-3f;")
    seen = []

    def verify(answer, result_host, atol=None):
        seen.append((len(answer), answer[1] is None, result_host[1] is None, atol))
        return np.allclose(answer[0], result_host[0], atol=0.01)
    loose, _ = tune_kernel("vector_add", off, SIZE, args, {"block_size_x": [128]},
                           answer=[expected, None, None, None], verify=verify, device="emu", database=db)
    assert loose[0]["status"] == "verified" and seen[0] == (4, True, True, 1e-6)

    def never(answer, result_host, atol=None):
        return False
    strict, env = tune_kernel("vector_add", VECTOR_ADD, SIZE, args, {"block_size_x": [128]},
                              answer=[expected, None, None, None], verify=never, device="emu", database=db)
    assert strict[0]["status"] == "failed" and "verify function rejected" in strict[0]["reason"]
    assert env["best_config"] is None
