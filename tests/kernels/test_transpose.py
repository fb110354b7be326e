"""Transpose variants on the emulator: awkward shapes, every configuration, schedule independence."""
import numpy as np
import pytest

from warpbench.check import check_kernel, check_schedules
from warpbench.errors import ConfigError, DTypeError, ShapeError
from warpbench.kernels import get, variants_of

VARIANTS = [s.name for s in variants_of("transpose")]


@pytest.mark.parametrize("name", VARIANTS)
def test_every_awkward_shape(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


@pytest.mark.parametrize("name", VARIANTS)
def test_every_configuration(emu, assert_checks, name):
    problems = [{"rows": 33, "cols": 65, "dtype": "float32"}, {"rows": 64, "cols": 17, "dtype": "float32"}]
    for config in get(name).space():
        assert_checks(check_kernel(emu.compile(name, config), problems))


@pytest.mark.parametrize("name", ["transpose_coalesced", "transpose_padded"])
def test_shared_memory_tiles_do_not_depend_on_the_schedule(emu, name):
    report = check_schedules(emu.compile(name, {"TILE_DIM": 16, "BLOCK_ROWS": 4}), {"rows": 35, "cols": 18})
    assert report.identical, report.summary()


def test_run_on_user_arrays(emu):
    a = np.arange(7 * 13, dtype=np.float32).reshape(7, 13)
    np.testing.assert_array_equal(emu.compile("transpose_padded").run(a), a.T)
    np.testing.assert_array_equal(emu.compile("transpose_naive").run(a[:, ::2]), a[:, ::2].T)


def test_bad_inputs_name_the_values(emu):
    kernel = emu.compile("transpose_coalesced")
    with pytest.raises(ShapeError, match=r"transpose: in must be a matrix \(2-D\), got shape \(2, 3, 4\)"):
        kernel.run(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(DTypeError, match="transpose: in has dtype float64, not supported"):
        kernel.run(np.zeros((2, 3)))
    with pytest.raises(ConfigError, match="BLOCK_ROWS <= TILE_DIM"):
        emu.compile("transpose_padded", {"TILE_DIM": 16, "BLOCK_ROWS": 32})


def test_host_code(cpu, assert_checks):
    assert_checks(check_kernel(cpu.host_kernel("transpose")))
