"""Softmax, log-softmax and cross-entropy kernels on the emulator."""
import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import ConfigError, DTypeError, ShapeError
from warpbench.kernels import get, select

FAMILIES = ["softmax", "log_softmax", "cross_entropy"]
VARIANTS = [s.name for s in select(FAMILIES)]
# A short row, a row that takes the vector path and one that streams past a 16 KiB cache.
SWEEP_PROBLEMS = [{"rows": 9, "cols": 37, "dtype": "float32"}, {"rows": 5, "cols": 64, "dtype": "float32"},
                  {"rows": 2, "cols": 4100, "dtype": "float32"}]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


def _sampled_space(name):
    """Every BLOCK_ROWS, or BLOCK x ROW_CACHE_KB with the cache both on and off for each BLOCK."""
    space = get(name).space()
    return space if len(space) <= 8 else [c for c in space if c.get("ROW_CACHE_KB") in (0, 16)]


@pytest.mark.parametrize("name,config", [(n, c) for n in ("softmax_warp_row", "softmax_block_row",
                                                          "log_softmax_block_row", "cross_entropy_warp_row")
                                         for c in _sampled_space(n)])
def test_configs_compute_the_same_result(emu, assert_checks, name, config):
    assert_checks(check_kernel(emu.compile(name, config), SWEEP_PROBLEMS))


def test_huge_logits_do_not_overflow(emu):
    x = np.array([[1000.0, 1000.0, -1000.0], [-50.0, 0.0, 50.0]], np.float32)
    got = emu.compile("softmax_warp_row").run(x)
    np.testing.assert_allclose(got, [[0.5, 0.5, 0.0], [0.0, np.exp(-50.0), 1.0]], atol=1e-7)


def test_cross_entropy_labels_are_validated_on_the_host(emu):
    kernel = emu.compile("cross_entropy_warp_row")
    logits = np.zeros((3, 4), np.float32)
    with pytest.raises(ShapeError, match=r"cross_entropy: labels\[1\] = 4 out of range \[0, 4\)"):
        kernel.run(logits, np.array([0, 4, 1], np.int32))
    with pytest.raises(ShapeError, match="logits has 3 rows but labels has length 2"):
        kernel.run(logits, np.array([0, 1], np.int32))
    with pytest.raises(DTypeError, match="labels has dtype int64, the kernel reads int32"):
        kernel.run(logits, np.array([0, 1, 2]))


def test_bad_input_is_refused(emu):
    with pytest.raises(ShapeError, match="softmax: x must be a matrix"):
        emu.compile("softmax_warp_row").run(np.zeros(5, np.float32))
    with pytest.raises(ShapeError, match="log_softmax: x of shape \\(0, 3\\) is empty"):
        emu.compile("log_softmax_block_row").run(np.zeros((0, 3), np.float32))
    with pytest.raises(ConfigError, match="softmax_block_row: config BLOCK=100, ROW_CACHE_KB=96 .* 'BLOCK % 32"):
        emu.compile("softmax_block_row", {"BLOCK": 100})


@pytest.mark.parametrize("family", FAMILIES)
def test_host_code_passes_every_check_problem(cpu, assert_checks, family):
    assert_checks(check_kernel(cpu.host_kernel(family)))
