"""Device selection, and the cuda device being cleanly unavailable without a GPU."""
import pytest

import warpbench
from warpbench.errors import DeviceUnavailable, UnknownNameError
from warpbench.runtime import cuda_status, default_device_kind, get_device


def test_unknown_device_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match=r"unknown device 'tpu' \(devices: cuda, emu, cpu\)"):
        warpbench.device("tpu")


def test_default_follows_cuda_availability():
    assert default_device_kind() == ("cuda" if cuda_status()[0] else "emu")


def test_cuda_unavailable_has_a_reason():
    usable, reason = cuda_status()
    if usable:
        pytest.skip("CUDA is usable here")
    assert reason
    with pytest.raises(DeviceUnavailable, match="cuda unavailable"):
        get_device("cuda")


def test_devices_are_created_once():
    assert get_device("cpu") is get_device("cpu")


@pytest.mark.gpu
def test_cuda_runs_every_registry_kernel(cuda, assert_checks):
    from warpbench.check import check_kernel
    from warpbench.kernels import all_specs
    for spec in all_specs():
        assert_checks(check_kernel(cuda.compile(spec)))


@pytest.mark.gpu
def test_cuda_timer_uses_events(cuda):
    import numpy as np
    x = cuda.to_device(np.ones(1 << 20, np.float32))
    kernel = cuda.compile("axpb_f32")
    with cuda.timer() as t:
        kernel.launch_problem({"n": x.size, "a": 2.0, "b": 1.0, "dtype": "float32"}, {"x": x, "z": x})
    assert 0 < t.seconds < 1


def test_cpu_compiles_a_workload_without_host_code_to_its_numpy_implementation():
    import numpy as np
    from warpbench.kernels import get
    spec = get("split_columns")
    assert spec.workload.host is None
    kernel = warpbench.device("cpu").compile(spec)
    assert kernel.name == "split_columns[numpy]" and kernel.spec is spec
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    left, right = kernel.run(data)
    np.testing.assert_array_equal(np.hstack([left, right]), data)
