"""Bias + activation kernels (dense and NCHW) on the emulator."""
import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import ConfigError, DTypeError, ShapeError, UnknownNameError
from warpbench.kernels import get, select

FAMILIES = ["bias_act", "bias_act_nchw"]
VARIANTS = [s.name for s in select(FAMILIES)]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


def _sample(name):
    """Each BLOCK_X with a short and a tall block."""
    return [c for c in get(name).space() if c["BLOCK_Y"] in (1, 8)]


@pytest.mark.parametrize("name,config", [(n, c) for n in ("bias_act", "bias_act_nchw") for c in _sample(n)])
def test_configs_compute_the_same_result(emu, assert_checks, name, config):
    problems = [p for p in get(name).workload.check_problems if p["dtype"] == "float32"][2:6]
    assert_checks(check_kernel(emu.compile(name, config), problems))


@pytest.mark.parametrize("act", ["none", "relu", "tanh", "sigmoid"])
def test_every_activation_by_name(emu, act):
    x = np.linspace(-60, 60, 24, dtype=np.float32).reshape(4, 6)
    bias = np.linspace(-1, 1, 6, dtype=np.float32)
    v = x.astype(np.float64) + bias
    expected = {"none": v, "relu": np.maximum(v, 0), "tanh": np.tanh(v), "sigmoid": 1 / (1 + np.exp(-v))}[act]
    np.testing.assert_allclose(emu.compile("bias_act").run(x, bias, act=act), expected, rtol=1e-6, atol=1e-7)


def test_bias_and_activation_errors_name_the_values(emu):
    kernel = emu.compile("bias_act")
    x = np.zeros((3, 4), np.float32)
    with pytest.raises(ShapeError, match=r"bias_act: bias has length 3 but x is 3x4 \(4 columns\)"):
        kernel.run(x, np.zeros(3, np.float32))
    with pytest.raises(UnknownNameError, match="bias_act: unknown activation 'gelu'"):
        kernel.run(x, np.zeros(4, np.float32), act="gelu")
    with pytest.raises(DTypeError, match="bias_act: arrays must share one dtype"):
        kernel.run(x, np.zeros(4))
    with pytest.raises(ShapeError, match=r"bias_act_nchw: bias has length 4 but x \(N, C, H, W\) is 1x3x2x2"):
        emu.compile("bias_act_nchw").run(np.zeros((1, 3, 2, 2), np.float32), np.zeros(4, np.float32))
    with pytest.raises(ConfigError, match="BLOCK_X=256, BLOCK_Y=8 breaks restriction 'BLOCK_X \\* BLOCK_Y <= 1024"):
        emu.compile("bias_act", {"BLOCK_X": 256, "BLOCK_Y": 8})


@pytest.mark.parametrize("family", FAMILIES)
def test_host_code_passes_every_check_problem(cpu, assert_checks, family):
    assert_checks(check_kernel(cpu.host_kernel(family)))
