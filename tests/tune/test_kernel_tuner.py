"""tune_kernel with Kernel Tuner's own vector-add example (examples/cuda/vector_add.py) on emu."""
import numpy
import pytest

from warpbench.errors import ConfigError
from warpbench.tune import tune_kernel

# Kernel Tuner's example, verbatim (its 10,000,000 elements take seconds on the emulator); the
# other tests use an odd size that is faster to check.
KERNEL_STRING = """
__global__ void vector_add(float *c, float *a, float *b, int n) {
    int i = blockIdx.x * block_size_x + threadIdx.x;
    if (i<n) {
        c[i] = a[i] + b[i];
    }
}
"""
SIZE = 100_003
EXAMPLE_SIZE = 10_000_000


def arguments(size=SIZE):
    a = numpy.random.randn(size).astype(numpy.float32)
    b = numpy.random.randn(size).astype(numpy.float32)
    c = numpy.zeros_like(b)
    n = numpy.int32(size)
    return [c, a, b, n], a + b


def test_kernel_tuners_vector_add_example_tunes_on_emu(tmp_path):
    args, expected = arguments(EXAMPLE_SIZE)
    tune_params = {"block_size_x": [128 + 64 * i for i in range(15)]}
    results, env = tune_kernel("vector_add", KERNEL_STRING, EXAMPLE_SIZE, args, tune_params,
                               answer=[expected, None, None, None], device="emu", database=tmp_path / "t.sqlite")
    assert len(results) == 15 and [r["block_size_x"] for r in results][0] == 128
    assert all(r["status"] == "verified" and r["model"] > 0 and "time" not in r for r in results)
    assert env["objective"] == "model" and env["problem_size"] == [EXAMPLE_SIZE, 1, 1]
    assert env["best_config"]["block_size_x"] in tune_params["block_size_x"]


def test_a_kernel_that_ignores_the_tail_fails_without_stopping_the_run(tmp_path):
    args, expected = arguments()
    broken = KERNEL_STRING.replace("if (i<n)", "if (i < n - (block_size_x == 256))")
    results, env = tune_kernel("vector_add", broken, SIZE, args, {"block_size_x": [128, 256]},
                               answer=[expected, None, None, None], device="emu", database=tmp_path / "t.sqlite")
    by_block = {r["block_size_x"]: r for r in results}
    assert by_block[128]["status"] == "verified" and env["best_config"] == {"block_size_x": 128}
    assert by_block[256]["status"] == "failed" and by_block[256]["model"] == "RuntimeFailedConfig"
    assert "never written" in by_block[256]["reason"]


def test_grid_divisors_and_restrictions_follow_kernel_tuner(tmp_path):
    args, expected = arguments()
    code = """
__global__ void vector_add(float *c, float *a, float *b, int n) {
    for (int k = 0; k < work; k++) {
        int i = (blockIdx.x * block_size_x + threadIdx.x) * work + k;
        if (i<n) {
            c[i] = a[i] + b[i];
        }
    }
}
"""
    results, _ = tune_kernel("vector_add", code, SIZE, args, {"block_size_x": [64, 128], "work": [1, 2, 4]},
                             grid_div_x=["block_size_x", "work"], restrictions=["block_size_x * work <= 256"],
                             answer=[expected, None, None, None], device="emu", database=tmp_path / "t.sqlite")
    assert sorted((r["block_size_x"], r["work"]) for r in results) == [(64, 1), (64, 2), (64, 4), (128, 1), (128, 2)]
    assert all(r["status"] == "verified" for r in results)


def test_unsupported_options_are_named():
    args, _ = arguments()
    with pytest.raises(ConfigError, match="unsupported option.*smem_args"):
        tune_kernel("vector_add", KERNEL_STRING, SIZE, args, {"block_size_x": [128]}, smem_args={})


def test_a_restriction_may_exclude_every_tunables_first_value(tmp_path):
    args, expected = arguments()
    results, env = tune_kernel("vector_add", KERNEL_STRING, SIZE, args, {"block_size_x": [32, 64, 128]},
                               restrictions=["block_size_x >= 64"], answer=[expected, None, None, None],
                               device="emu", database=tmp_path / "t.sqlite")
    assert sorted(r["block_size_x"] for r in results) == [64, 128]
    assert env["best_config"]["block_size_x"] in (64, 128)


def test_a_new_answer_is_checked_again_and_results_are_this_calls_space(tmp_path):
    args, expected = arguments()
    database = tmp_path / "t.sqlite"
    wrong, _ = tune_kernel("vector_add", KERNEL_STRING, SIZE, args, {"block_size_x": [64, 128]},
                           answer=[expected + 1, None, None, None], device="emu", database=database)
    assert [r["status"] for r in wrong] == ["failed", "failed"]
    right, env = tune_kernel("vector_add", KERNEL_STRING, SIZE, args, {"block_size_x": [64]},
                             answer=[expected, None, None, None], device="emu", database=database)
    assert [(r["block_size_x"], r["status"]) for r in right] == [(64, "verified")]
    assert env["best_config"] == {"block_size_x": 64}
