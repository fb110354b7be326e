"""axpb (the book's AXPBOp) and copy on the emulator and in host code."""
import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import ConfigError, DTypeError
from warpbench.kernels import get


@pytest.mark.parametrize("name", ["axpb_f32", "axpb_f64", "copy"])
def test_every_awkward_size(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


@pytest.mark.parametrize("name", ["axpb_f32", "copy"])
def test_every_configuration(emu, assert_checks, name):
    problems = [p for p in get(name).workload.check_problems if p["n"] in (1, 257, 4099)]
    problems = [p for p in problems if p.get("dtype", "float32") == "float32"]
    for config in get(name).space():
        assert_checks(check_kernel(emu.compile(name, config), problems))


def test_grid_stride_loop_covers_more_elements_than_threads(emu):
    # 2 blocks per SM x 132 SMs x 128 threads = 33792 threads for 100003 elements.
    kernel = emu.compile("axpb_f32", {"BLOCK": 128, "BLOCKS_PER_SM": 2})
    x = np.random.default_rng(0).uniform(-1, 1, 100003).astype(np.float32)
    assert kernel.geometry({"n": x.size}).grid[0] == 264
    np.testing.assert_allclose(kernel.run(x, a=4.0, b=5.0), 4 * x + 5, rtol=1e-6)


def test_run_keeps_the_input_shape(emu):
    x = np.ones((3, 5), np.float64)
    np.testing.assert_array_equal(emu.compile("axpb_f64").run(x, a=2.0, b=1.0), np.full((3, 5), 3.0))


def test_float16_is_refused_with_the_supported_dtypes(emu):
    with pytest.raises(DTypeError, match=r"axpb: x has dtype float16, not supported \(float32, float64\)"):
        emu.compile("axpb_f32").run(np.ones(4, np.float16), a=1.0, b=0.0)
    with pytest.raises(DTypeError, match="axpb_f32: dtype float64 not supported"):
        emu.compile("axpb_f32").run(np.ones(4), a=1.0, b=0.0)


def test_block_of_2048_threads_is_refused(emu):
    with pytest.raises(ConfigError, match="BLOCK=2048"):
        emu.compile("axpb_f32", {"BLOCK": 2048})
    kernel = emu.compile("axpb_f32")
    x = emu.to_device(np.ones(4, np.float32))
    with pytest.raises(ConfigError, match="2048 threads"):
        kernel(x, x, 1.0, 0.0, 4, grid=1, block=2048)


@pytest.mark.parametrize("workload", ["axpb", "copy"])
def test_host_code(cpu, assert_checks, workload):
    assert_checks(check_kernel(cpu.host_kernel(workload)))
