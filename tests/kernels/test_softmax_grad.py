"""Softmax / log-softmax backward and integer-label cross-entropy kernels on the emulator:
checks at awkward shapes, finite differences of the forward, label errors, sm_90 compiles."""
import shutil

import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import DTypeError, ShapeError
from warpbench.kernels import get, select

FAMILIES = ["softmax_bwd", "log_softmax_bwd", "crossentropy_1hot", "crossentropy_1hot_bwd",
            "crossentropy_softmax_bwd"]
VARIANTS = [s.name for s in select(FAMILIES)]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


@pytest.mark.parametrize("config", [{"BLOCK_ROWS": 1}, {"BLOCK_ROWS": 32}])
def test_configs_compute_the_same_result(emu, assert_checks, config):
    problems = [{"rows": 9, "cols": 37, "dtype": "float32"}, {"rows": 2, "cols": 4100, "dtype": "float32"}]
    assert_checks(check_kernel(emu.compile("softmax_bwd_warp_row", config), problems))


@pytest.mark.parametrize("log", [False, True])
def test_backward_matches_finite_differences_of_the_forward(emu, log):
    rng = np.random.default_rng(5)
    x, dy = rng.standard_normal((3, 7)), rng.standard_normal((3, 7))

    def forward(v):
        shifted = v - v.max(axis=1, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return out if log else np.exp(out)
    name = "log_softmax_bwd_warp_row_f64" if log else "softmax_bwd_warp_row_f64"
    dx = emu.compile(name).run(dy, forward(x))
    eps, numeric = 1e-6, np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        numeric[index] = ((forward(x + step) - forward(x - step)) * dy).sum() / (2 * eps)
    np.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-8)


def test_labels_are_checked_on_the_host(emu):
    p = np.full((2, 3), 1 / 3, np.float32)
    kernel = emu.compile("crossentropy_1hot")
    with pytest.raises(ShapeError, match=r"crossentropy_1hot: labels\[1\] = 3 out of range \[0, 3\)"):
        kernel.run(p, np.array([0, 3]))
    with pytest.raises(DTypeError, match="crossentropy_1hot: labels must be integer class indices, got dtype float64"):
        kernel.run(p, np.array([0.0, 1.0]))
    with pytest.raises(ShapeError, match="crossentropy_1hot_bwd: g has shape"):
        emu.compile("crossentropy_1hot_bwd").run(np.ones(3, np.float32), p, np.array([0, 1]))
    np.testing.assert_allclose(kernel.run(p, np.array([0, 2])), [np.log(3)] * 2, rtol=1e-6)


def test_check_problems_include_long_rows():
    assert max(p["cols"] for p in get("softmax_bwd_warp_row").workload.check_problems) > 4096


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
def test_compiles_for_sm_90_without_spills():
    from warpbench.cli.check import compile_rows
    rows = compile_rows(select(FAMILIES), {})
    assert {r["kernel"] for r in rows} == set(VARIANTS)
    assert all(r["status"] == "ok" and r["spill_bytes"] == 0 for r in rows), rows
