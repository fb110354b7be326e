"""conv2d backward data, backward filter and filter-flip kernels: emulator checks at awkward
shapes, the adjoint identity against the forward kernel, errors, sm_90 compiles without spills."""
import shutil

import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import DTypeError, ShapeError
from warpbench.kernels import get, select
from warpbench.kernels.specs.conv2d import conv_problem

FAMILIES = ["conv2d_bwd_data", "conv2d_bwd_filter", "conv2d_flip_filters"]
VARIANTS = [s.name for s in select(FAMILIES)]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


@pytest.mark.parametrize("name,config", [("conv2d_bwd_data_direct", {"BLOCK": 128, "BLOCKS_PER_SM": 2}),
                                         ("conv2d_bwd_filter_warp", {"BLOCK_ROWS": 1}),
                                         ("conv2d_bwd_filter_warp", {"BLOCK_ROWS": 32})])
def test_configs_compute_the_same_result(emu, assert_checks, name, config):
    problems = [p for p in get(name).workload.check_problems if p["dtype"] == "float32"][1:4]
    assert_checks(check_kernel(emu.compile(name, config), problems))


def test_gradients_are_the_adjoints_of_the_forward_kernel(emu):
    """<conv(x, w), g> = <x, dx(w, g)> = <w, dw(x, g)>, with stride, padding and dilation."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    geometry = {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2)}
    out = emu.compile("conv2d_direct").run(x, w, np.zeros(4, np.float32), bias=False, **geometry)
    g = rng.standard_normal(out.shape).astype(np.float32)
    dx = emu.compile("conv2d_bwd_data_direct").run(g, w, H=9, W=8, **geometry)
    dw = emu.compile("conv2d_bwd_filter_warp").run(g, x, R=3, S=2, **geometry)
    forward = float((out.astype(np.float64) * g).sum())
    assert dx.shape == x.shape and dw.shape == w.shape
    np.testing.assert_allclose(float((x.astype(np.float64) * dx).sum()), forward, rtol=1e-4)
    np.testing.assert_allclose(float((w.astype(np.float64) * dw).sum()), forward, rtol=1e-4)


def test_flip_rotates_each_filter_plane(emu):
    w = np.arange(2 * 3 * 2 * 3, dtype=np.float64).reshape(2, 3, 2, 3)
    np.testing.assert_array_equal(emu.compile("conv2d_flip_filters_f64").run(w), w[:, :, ::-1, ::-1])


def test_bad_inputs_name_the_kernel_and_values(emu):
    data = emu.compile("conv2d_bwd_data_direct")
    g, w = np.zeros((2, 4, 3, 3), np.float32), np.zeros((4, 3, 3, 3), np.float32)
    with pytest.raises(ShapeError, match="conv2d_bwd_data: g is 2x4x3x3 but the convolution's output is 2x4x4x4"):
        data.run(g, w, H=6, W=6)
    with pytest.raises(ShapeError, match="conv2d_bwd_data: the input extents H and W must be given"):
        data.run(g, w)
    with pytest.raises(DTypeError, match="conv2d_bwd_data: arrays must share one dtype"):
        data.run(g, w.astype(np.float64), H=5, W=5)
    with pytest.raises(ShapeError, match=r"conv2d_bwd_filter: 3x3 kernel .* larger than the 2x2 input"):
        emu.compile("conv2d_bwd_filter_warp").run(g, np.zeros((2, 3, 2, 2), np.float32), R=3, S=3)


def test_check_problems_cover_strides_paddings_dilations_and_float64():
    problems = get("conv2d_bwd_data_direct").workload.check_problems
    assert any(p["stride_h"] != p["stride_w"] and p["dil_w"] > 1 for p in problems)
    assert {p["dtype"] for p in problems} == {"float32", "float64"}
    assert conv_problem(1, 1, 1, 1, 1, 1, 1, bias=False)["P"] == 1


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
def test_compiles_for_sm_90_without_spills():
    from warpbench.cli.check import compile_rows
    rows = compile_rows(select(FAMILIES), {})
    assert {r["kernel"] for r in rows} == set(VARIANTS)
    assert all(r["status"] == "ok" and r["spill_bytes"] == 0 for r in rows), rows
