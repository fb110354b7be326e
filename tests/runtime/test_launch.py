"""Launch validation in one place: the validator against device properties, and the same
one-line errors from the emu device, a raw emulated launch and the PyCUDA facade."""
import numpy as np
import pytest

from warpbench.emu import abi
from warpbench.errors import ConfigError
from warpbench.runtime.launch import validate_launch
from warpbench.runtime.properties import EMULATED, arch_properties

H100, A100 = arch_properties("sm_90"), arch_properties("sm_80")


def refusal(*args, **kwargs) -> str:
    with pytest.raises(ConfigError) as err:
        validate_launch(*args, **kwargs)
    text = str(err.value)
    assert "\n" not in text and text.startswith("kernel 'k': ")
    return text


def test_a_valid_launch_becomes_three_dimensional():
    lau = validate_launch("k", 7, (32, 4), 1024, H100, static_shared=512)
    assert (lau.grid, lau.block, lau.shared) == ((7, 1, 1), (32, 4, 1), 1024)


@pytest.mark.parametrize("grid,block,shared,words", [
    (1, 2048, 0, "block (2048, 1, 1) has 2048 threads; sm_90 allows at most 1024 per block"),
    (1, (1, 1, 128), 0, "block (1, 1, 128) exceeds sm_90's 64 threads along z"),
    ((1, 70000), 32, 0, "grid (1, 70000, 1) exceeds sm_90's 65535 blocks along y"),
    ((0, 1), 32, 0, "grid (0, 1, 1) has an extent below 1"),
    (16.5, 32, 0, "grid must be 1 to 3 integers, got 16.5"),
    (1, (32, 1, 1, 1), 0, "block must be 1 to 3 integers"),
    (1, True, 0, "block must be 1 to 3 integers, got True"),
    (1, 32, 2.5, "dynamic shared memory must be a byte count >= 0, got 2.5"),
    (1, 32, 228 * 1024, "233472 bytes of shared memory per block (0 static + 233472 dynamic); "
                        "sm_90 allows 232448 per block"),
])
def test_limits_of_the_device(grid, block, shared, words):
    assert words in refusal("k", grid, block, shared, H100)


def test_limits_come_from_the_properties_given():
    validate_launch("k", 1, 32, 200 * 1024, H100)
    assert "sm_80 allows 166912 per block" in refusal("k", 1, 32, 200 * 1024, A100)
    assert "49152 (use dynamic shared memory" in refusal("k", 1, 32, 0, H100, static_shared=50000)


def test_the_kernel_limit_names_its_source():
    assert "its __launch_bounds__ allows at most 128" in refusal("k", 1, 256, 0, H100, max_threads=128)
    assert "register use allows at most 256" in refusal("k", 1, 512, 0, H100, max_threads=256,
                                                        max_threads_source="its register use")
    validate_launch("k", 1, 1024, 0, H100, max_threads=2048)


def test_the_emulator_emulates_sm_90_within_its_shared_memory_buffer():
    assert EMULATED.arch == "sm_90" and EMULATED.max_grid_dim == H100.max_grid_dim
    assert EMULATED.shared_per_block_optin <= abi.MAX_DYNAMIC_SHARED


def _after_kernel_name(text: str) -> str:
    return text.split(": ", 1)[1]


def test_device_raw_and_facade_launches_share_the_validator(emu):
    from warpbench.emu import driver
    x, z = np.ones(8, np.float32), np.zeros(8, np.float32)
    with pytest.raises(ConfigError) as on_device:
        emu.compile("axpb_f32")(emu.to_device(z), emu.to_device(x), 1.0, 0.0, 8, grid=(1, 70000), block=32)
    raw = emu.compile("axpb_f32").function
    with pytest.raises(ConfigError) as raw_launch:
        raw(emu.to_device(z), emu.to_device(x), np.float32(1), np.float32(0), np.int64(8), grid=(1, 70000), block=32)
    module = driver.SourceModule("__global__ void scale(float *x) { x[threadIdx.x] *= 2.0f; }")
    with pytest.raises(ConfigError) as facade:
        module.get_function("scale")(driver.InOut(x), grid=(1, 70000), block=(32, 1, 1))
    messages = [str(e.value) for e in (on_device, raw_launch, facade)]
    assert all("\n" not in m for m in messages)
    assert {_after_kernel_name(m) for m in messages} == {"grid (1, 70000, 1) exceeds sm_90's 65535 blocks along y"}
    assert "'scale'" in messages[2]
