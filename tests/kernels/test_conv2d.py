"""conv2d kernels (direct, tiled direct, implicit GEMM, im2col + GEMM) and their stages on the emulator."""
import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import ConfigError, DTypeError, ShapeError
from warpbench.kernels import get, select
from warpbench.kernels.specs.conv2d import CONV2D, conv_problem
from warpbench.runtime.emu import EmuDevice

FAMILIES = ["conv2d", "im2col", "conv2d_gemm_to_nchw"]
VARIANTS = [s.name for s in select(FAMILIES)]
# Off-tile everywhere: 2 images, 3 channels, K = 9 filters, a 3x2 kernel with stride, padding and
# dilation, output 6x10; the second is 1x1 with stride 2 and K one past a 16-wide tile.
SWEEP_PROBLEMS = [conv_problem(2, 3, 11, 19, 9, 3, 2, stride=(2, 2), padding=(1, 2), dilation=(2, 1), relu=True),
                  conv_problem(1, 5, 8, 9, 17, 1, 1, stride=2, bias=False)]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


def _sampled_space(name, count=6):
    """The default, the smallest and largest tiles, and a seeded sample of the rest of the space."""
    space = get(name).space()
    by_size = sorted(space, key=lambda c: (np.prod(list(c.values())), sorted(c.items())))
    picks = [get(name).default_config, by_size[0], by_size[-1]]
    rng = np.random.default_rng(len(space))
    picks += [space[i] for i in rng.choice(len(space), size=min(count, len(space)), replace=False)]
    unique = []
    for config in picks:
        if config not in unique:
            unique.append(config)
    return unique


@pytest.mark.parametrize("name,config", [(n, c) for n in ("conv2d_direct", "conv2d_direct_tiled",
                                                          "conv2d_implicit_gemm")
                                         for c in _sampled_space(n)])
def test_configs_compute_the_same_result(emu, assert_checks, name, config):
    assert_checks(check_kernel(emu.compile(name, config), SWEEP_PROBLEMS))


@pytest.mark.parametrize("name", ["conv2d_direct_tiled", "conv2d_implicit_gemm", "conv2d_im2col_gemm"])
def test_shared_memory_kernels_do_not_depend_on_the_schedule(name):
    outputs = []
    for order in ("forward", "reverse", "random:3"):
        [result] = check_kernel(EmuDevice(thread_order=order, block_order=order).compile(name), SWEEP_PROBLEMS[:1])
        assert result.ok, result.message
        outputs.append(result.outputs["out"])
    for other in outputs[1:]:
        np.testing.assert_array_equal(other, outputs[0])


@pytest.mark.parametrize("bias,relu", [(False, False), (True, False), (False, True), (True, True)])
def test_epilogue_flags_on_user_arrays(emu, bias, relu):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 7)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    problem = conv_problem(2, 3, 6, 7, 4, 3, 3, stride=2, padding=1, bias=bias, relu=relu)
    expected = CONV2D.reference(problem, {"x": x, "w": w, "b": b})["out"]
    got = emu.compile("conv2d_implicit_gemm").run(x, w, b, stride=2, padding=1, bias=bias, relu=relu)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert (got >= 0).all() if relu else (got < 0).any()


def test_bad_shapes_name_the_values(emu):
    kernel = emu.compile("conv2d_direct")
    x, b = np.zeros((2, 3, 5, 5), np.float32), np.zeros(4, np.float32)
    with pytest.raises(ShapeError, match=r"conv2d: x is 2x3x5x5 but w is 4x2x3x3 \(channels 3 != 2\)"):
        kernel.run(x, np.zeros((4, 2, 3, 3), np.float32), b)
    with pytest.raises(ShapeError, match=r"conv2d: 7x7 kernel \(dilation 1x1\) is larger than the 5x5 input "
                                         r"padded by 0x0 \(output would be -1x-1\)"):
        kernel.run(x, np.zeros((4, 3, 7, 7), np.float32), b)
    with pytest.raises(ShapeError, match=r"\(dilation 3x2\) .* \(output would be -1x1\)"):
        kernel.run(x, np.zeros((4, 3, 3, 3), np.float32), b, dilation=(3, 2))
    with pytest.raises(ShapeError, match="b has 3 elements but w has 4 filters"):
        kernel.run(x, np.zeros((4, 3, 3, 3), np.float32), np.zeros(3, np.float32))
    with pytest.raises(ShapeError, match=r"conv2d: w must be a K x C x R x S tensor \(4-D\), got shape \(4, 3, 3\)"):
        kernel.run(x, np.zeros((4, 3, 3), np.float32), b)
    with pytest.raises(ShapeError, match="stride must be an int or an"):
        kernel.run(x, np.zeros((4, 3, 3, 3), np.float32), b, stride=0)
    with pytest.raises(DTypeError, match="conv2d: x has dtype float64"):
        kernel.run(x.astype(np.float64), np.zeros((4, 3, 3, 3), np.float32), b)


def test_broken_restrictions_are_refused():
    with pytest.raises(ConfigError, match=r"conv2d_implicit_gemm: config .* breaks restriction "
                                          r"'\(BM // TM\) \* \(BN // TN\) % BN == 0'"):
        get("conv2d_implicit_gemm").resolve({"BM": 16, "TM": 8, "BN": 256, "TN": 8})
    with pytest.raises(ConfigError, match=r"TILE_P=32, TILE_Q=64, .* breaks restriction 'TILE_P \* TILE_Q <= 1024"):
        get("conv2d_direct_tiled").resolve({"TILE_P": 32, "TILE_Q": 64})


def test_tiled_kernel_refuses_a_patch_beyond_shared_memory(emu):
    huge = conv_problem(1, 1, 2000, 40, 1, 1000, 1)
    kernel = emu.compile("conv2d_direct_tiled", {"TILE_P": 32, "C_TILE": 8, "K_TILE": 16})
    with pytest.raises(ConfigError, match="bytes of shared memory per block"):
        kernel.launch_problem(huge, {n: None for n in ("out", "x", "w", "b")})


@pytest.mark.parametrize("family", FAMILIES)
def test_host_code_passes_every_check_problem(cpu, assert_checks, family):
    assert_checks(check_kernel(cpu.host_kernel(family)))
