"""Max, average and global average pooling kernels on the emulator."""
import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import ConfigError, ShapeError
from warpbench.kernels import get, select

FAMILIES = ["maxpool2d", "avgpool2d", "global_avgpool"]
VARIANTS = [s.name for s in select(FAMILIES)]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


def _grid_stride_sample(name):
    """Every BLOCK, each with the fewest and the most blocks per SM."""
    return [c for c in get(name).space() if c["BLOCKS_PER_SM"] in (2, 32)]


@pytest.mark.parametrize("name,config", [(n, c) for n in ("maxpool2d", "avgpool2d") for c in _grid_stride_sample(n)]
                         + [("global_avgpool_warp", c) for c in get("global_avgpool_warp").space()])
def test_configs_compute_the_same_result(emu, assert_checks, name, config):
    problems = [p for p in get(name).workload.check_problems if p["dtype"] == "float32"][1:4]
    assert_checks(check_kernel(emu.compile(name, config), problems))


def test_run_on_user_arrays_matches_numpy(emu):
    x = np.arange(2 * 3 * 5 * 6, dtype=np.float32).reshape(2, 3, 5, 6)
    got = emu.compile("maxpool2d").run(x, k=2, stride=2)
    np.testing.assert_array_equal(got, x[:, :, 1:4:2, 1::2])
    np.testing.assert_allclose(emu.compile("global_avgpool_warp").run(x), x.mean(axis=(2, 3)), rtol=1e-6)


def test_window_and_shape_errors_name_the_values(emu):
    kernel = emu.compile("avgpool2d")
    x = np.zeros((1, 2, 4, 4), np.float32)
    with pytest.raises(ShapeError, match="avgpool2d: window 5x5 is larger than the input plane 4x4"):
        kernel.run(x, k=5)
    with pytest.raises(ShapeError, match="avgpool2d: stride must be a positive int, got 0"):
        kernel.run(x, k=2, stride=0)
    with pytest.raises(ShapeError, match="avgpool2d: k must be a positive int, got None"):
        kernel.run(x)
    with pytest.raises(ShapeError, match="global_avgpool: x must be an NCHW tensor"):
        emu.compile("global_avgpool_warp").run(np.zeros((4, 4), np.float32))
    with pytest.raises(ConfigError, match="BLOCK=2048"):
        emu.compile("maxpool2d", {"BLOCK": 2048})


@pytest.mark.parametrize("family", FAMILIES)
def test_host_code_passes_every_check_problem(cpu, assert_checks, family):
    assert_checks(check_kernel(cpu.host_kernel(family)))
