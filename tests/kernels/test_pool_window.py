"""Pooling with any window (padding, rectangular windows and strides, partial last windows),
forward and backward, on the emulator; errors; sm_90 compiles without spills."""
import shutil

import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import ShapeError
from warpbench.kernels import get, select

FAMILIES = ["maxpool2d_window", "avgpool2d_window", "maxpool2d_window_bwd", "avgpool2d_window_bwd"]
VARIANTS = [s.name for s in select(FAMILIES)]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


@pytest.mark.parametrize("name", ["maxpool2d_window_bwd", "avgpool2d_window"])
@pytest.mark.parametrize("config", [{"BLOCK": 128, "BLOCKS_PER_SM": 2}, {"BLOCK": 1024, "BLOCKS_PER_SM": 32}])
def test_configs_compute_the_same_result(emu, assert_checks, name, config):
    problems = [p for p in get(name).workload.check_problems if p["dtype"] == "float32"][2:5]
    assert_checks(check_kernel(emu.compile(name, config), problems))


def test_padding_is_excluded_from_averages_and_maxima(emu):
    x = -np.ones((1, 1, 2, 2), np.float32)
    x[0, 0, 1, 1] = -5.0
    got = emu.compile("avgpool2d_window").run(x, ws=2, stride=1, pad=1)
    np.testing.assert_allclose(got[0, 0], [[-1, -1, -1], [-1, -2, -3], [-1, -3, -5]])
    got = emu.compile("maxpool2d_window").run(x, ws=2, stride=1, pad=1)
    np.testing.assert_array_equal(got[0, 0], [[-1, -1, -1], [-1, -1, -1], [-1, -1, -5]])


def test_max_gradient_goes_to_the_first_maximum_only(emu):
    x = np.ones((1, 1, 2, 3), np.float32)  # every element ties
    g = np.array([[[[1.0, 10.0]]]], np.float32)
    dx = emu.compile("maxpool2d_window_bwd").run(x, g, ws=2, stride=1)
    np.testing.assert_array_equal(dx[0, 0], [[1, 10, 0], [0, 0, 0]])


def test_partial_last_windows_without_ignore_border(emu):
    x = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)
    got = emu.compile("maxpool2d_window").run(x, ws=2, ignore_border=False)
    np.testing.assert_array_equal(got[0, 0], [[6, 8, 9], [16, 18, 19], [21, 23, 24]])


def test_window_and_gradient_errors_name_the_values(emu):
    x = np.zeros((1, 2, 4, 4), np.float32)
    with pytest.raises(ShapeError, match="maxpool2d_window: window 7x7 is larger than the input plane 4x4 "
                                         "padded by 1x1"):
        emu.compile("maxpool2d_window").run(x, ws=7, pad=1)
    with pytest.raises(ShapeError, match=r"maxpool2d_window_bwd: g is 1x2x3x3, the pooled output is 1x2x2x2"):
        emu.compile("maxpool2d_window_bwd").run(x, np.zeros((1, 2, 3, 3), np.float32), ws=2)
    with pytest.raises(ShapeError, match="avgpool2d_window_bwd: the input extents H and W must be given"):
        emu.compile("avgpool2d_window_bwd").run(np.zeros((1, 2, 2, 2), np.float32), ws=2)
    with pytest.raises(ShapeError, match="ws must be an int or a pair of ints >= 1, got 0"):
        emu.compile("avgpool2d_window").run(x, ws=0)


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
def test_compiles_for_sm_90_without_spills():
    from warpbench.cli.check import compile_rows
    rows = compile_rows(select(FAMILIES), {})
    assert {r["kernel"] for r in rows} == set(VARIANTS)
    assert all(r["status"] == "ok" and r["spill_bytes"] == 0 for r in rows), rows
