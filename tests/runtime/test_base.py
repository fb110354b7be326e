"""Device-independent launch and argument checks, exercised through a recording device."""
import numpy as np
import pytest

from warpbench.errors import ConfigError, DTypeError, ShapeError, WarpbenchError
from warpbench.kernels import get
from warpbench.runtime.properties import arch_properties
from warpbench.runtime.cpu import CpuDevice
from warpbench.runtime.kernel import LaunchableKernel


class RecordingKernel(LaunchableKernel):
    def _launch(self, args, lau):
        self.device.launches.append((args, lau))


class RecordingDevice(CpuDevice):
    """Host memory, but "compiles" registry kernels into recorders."""

    kind = "recording"

    def __init__(self):
        super().__init__()
        self.launches = []

    def _compile_variant(self, spec, config):
        return RecordingKernel(self, spec, config)


@pytest.fixture
def dev():
    return RecordingDevice()


def test_block_of_2048_threads_is_refused(dev):
    kernel = dev.compile("axpb_f32")
    x, z = np.zeros(4, np.float32), np.zeros(4, np.float32)
    with pytest.raises(ConfigError) as err:
        kernel(z, x, 1.0, 2.0, 4, grid=1, block=2048)
    assert "axpb_f32" in str(err.value) and "2048 threads" in str(err.value) and "1024" in str(err.value)


def test_grid_and_shared_limits(dev):
    kernel = dev.compile("axpb_f32")
    args = (np.zeros(4, np.float32), np.zeros(4, np.float32), 1.0, 2.0, 4)
    with pytest.raises(ConfigError, match=r"grid \(1, 70000, 1\) exceeds sm_90's 65535 blocks along y"):
        kernel(*args, grid=(1, 70000), block=32)
    with pytest.raises(ConfigError, match="shared memory"):
        kernel(*args, grid=1, block=32, shared=300 * 1024)


def test_arguments_are_checked_and_scalars_converted(dev):
    kernel = dev.compile("axpb_f32")
    x, z = np.zeros(4, np.float32), np.zeros(4, np.float32)
    kernel(z, x, 2, 3, 4, grid=1, block=32)
    args, lau = dev.launches[-1]
    assert args[2].dtype == np.float32 and args[4].dtype == np.int64 and lau.block == (32, 1, 1)
    with pytest.raises(DTypeError, match=r"argument 1 \(const T\* x\) needs a float32"):
        kernel(z, x.astype(np.float64), 2, 3, 4, grid=1, block=32)
    with pytest.raises(WarpbenchError, match="expects 5 arguments"):
        kernel(z, x, grid=1, block=32)


def test_generic_dtype_outside_the_variant_is_refused(dev):
    kernel = dev.compile("axpb_f32")
    x = np.zeros(4, np.float64)
    with pytest.raises(DTypeError, match="axpb_f32: dtype float64 not supported"):
        kernel(x, x, 2, 3, 4, grid=1, block=32)


def test_run_validates_user_arrays(dev):
    with pytest.raises(ShapeError, match=r"transpose: in must be a matrix \(2-D\), got shape \(2, 3, 4\)"):
        dev.compile("transpose_padded").run(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(DTypeError, match="axpb: x has dtype float16"):
        dev.compile("axpb_f32").run(np.zeros(8, np.float16), a=1.0, b=2.0)
    with pytest.raises(ShapeError, match="expects 1 input array"):
        dev.compile("transpose_padded").run()


def test_run_launches_with_the_spec_geometry(dev):
    out = dev.compile("transpose_padded", {"TILE_DIM": 16, "BLOCK_ROWS": 4}).run(np.ones((33, 65), np.float32))
    assert out.shape == (65, 33)
    _, lau = dev.launches[-1]
    assert lau.grid == (5, 3, 1) and lau.block == (16, 4, 1)


def test_geometry_must_be_integers(dev):
    kernel = dev.compile("axpb_f32")
    args = (np.zeros(4, np.float32), np.zeros(4, np.float32), 1.0, 2.0, 4)
    with pytest.raises(ConfigError, match=r"kernel 'axpb_f32': block must be 1 to 3 integers, got 16.5"):
        kernel(*args, grid=1, block=16.5)
    with pytest.raises(ConfigError, match="dynamic shared memory must be a byte count >= 0, got -1"):
        kernel(*args, grid=1, block=32, shared=-1)
    assert not dev.launches


def test_an_empty_problem_launches_nothing(dev):
    out = dev.compile("transpose_padded").run(np.zeros((0, 5), np.float32))
    assert out.shape == (5, 0) and out.dtype == np.float32
    assert not dev.launches
    assert dev.compile("axpb_f32").run(np.zeros(0, np.float32), a=1.0, b=2.0).shape == (0,)
    assert not dev.launches


def test_the_cpu_device_compiles_a_variant_to_its_host_code(cpu):
    kernel = cpu.compile("transpose_padded", {"TILE_DIM": 16})
    assert kernel.spec is get("transpose_padded") and kernel.name == "transpose[hostcode]" and kernel.config == {}
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(kernel.run(a), a.T)
    assert cpu.compile("transpose_naive").name == kernel.name
    assert cpu.host_kernel("transpose").workload is kernel.workload
    assert cpu.properties.max_threads_per_block == arch_properties("sm_90").max_threads_per_block


def test_the_cpu_device_checks_the_config_it_ignores(cpu):
    with pytest.raises(ConfigError, match="transpose_padded: config .* breaks restriction 'BLOCK_ROWS <= TILE_DIM'"):
        cpu.compile("transpose_padded", {"TILE_DIM": 16, "BLOCK_ROWS": 32})


def test_pipelines_compile_to_the_host_code_of_their_workload_on_cpu(cpu):
    from warpbench.kernels import all_specs
    from warpbench.kernels.spec import PipelineSpec
    pipeline = next(s for s in all_specs() if isinstance(s, PipelineSpec))
    kernel = cpu.compile(pipeline)
    assert kernel.spec is pipeline and kernel.name == f"{pipeline.workload.name}[hostcode]"


def test_host_code_computes_every_dtype_of_its_workload(cpu):
    kernel = cpu.compile("axpb_f32")
    assert kernel.computes({"n": 4, "dtype": "float64"})
    assert "float64" not in get("axpb_f32").dtypes
    np.testing.assert_allclose(kernel.run(np.ones(3, np.float64), a=2.0, b=1.0), 3.0)
