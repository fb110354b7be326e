"""The device contract, run over every device: cpu and emu here, cuda where it is usable.

Memory, copies, compilation of a registry variant into a kernel with ``.spec``, empty
problems, launch validation, timing, the copy reference and the capability questions
callers ask instead of switching on ``device.kind``.
"""
import numpy as np
import pytest

from warpbench.bench.suite import CopyReference
from warpbench.errors import ConfigError, DeviceUnavailable, ShapeError, WarpbenchError
from warpbench.kernels import get
from warpbench.kernels.spec import launch
from warpbench.runtime import DEVICE_KINDS, get_device


@pytest.fixture(params=DEVICE_KINDS)
def device(request):
    try:
        return get_device(request.param)
    except DeviceUnavailable as exc:
        pytest.skip(str(exc))


def one_line(exc) -> str:
    text = str(exc.value)
    assert "\n" not in text, text
    return text


def test_memory_round_trip_and_device_copies(device):
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    on_device = device.to_device(a)
    np.testing.assert_array_equal(device.to_host(on_device), a)
    np.testing.assert_array_equal(device.to_host(device.zeros((3,), np.int32)), np.zeros(3, np.int32))
    assert np.isnan(device.to_host(device.empty((2, 2), np.float32, fill=np.nan))).all()
    copy = device.empty((4, 6), np.float32)
    device.copy_device_to_device(copy, on_device)
    device.synchronize()
    np.testing.assert_array_equal(device.to_host(copy), a)
    with pytest.raises(ShapeError) as err:
        device.copy_device_to_device(device.empty((5,), np.float32), on_device)
    assert "96 bytes into an array of 20" in one_line(err)


@pytest.mark.parametrize("value", [np.float32(2.5), np.array(2.5), np.arange(6.0).reshape(2, 3).T],
                         ids=["0-d scalar", "0-d array", "transposed"])
def test_to_device_keeps_the_shape(device, value):
    back = device.to_host(device.to_device(value))
    assert back.shape == np.shape(value) and back.dtype == np.asarray(value).dtype
    np.testing.assert_array_equal(back, value)


def test_a_compiled_variant_runs_and_knows_its_spec(device):
    kernel = device.compile("transpose_padded")
    assert kernel.spec is get("transpose_padded") and kernel.device is device
    a = np.random.default_rng(0).standard_normal((33, 65)).astype(np.float32)
    np.testing.assert_array_equal(kernel.run(a), a.T)


def test_an_empty_matrix_transposes_to_an_empty_result_without_a_launch(device, monkeypatch):
    kernel = device.compile("transpose_padded")

    def launched(problem, buffers):
        raise AssertionError(f"launched for {problem}")
    monkeypatch.setattr(kernel, "_launch_problem", launched)
    for shape in ((0, 5), (5, 0), (0, 0)):
        out = kernel.run(np.zeros(shape, np.float32))
        assert out.shape == shape[::-1] and out.dtype == np.float32


def test_launch_limits_are_one_line_naming_kernel_and_values(device):
    with pytest.raises(ConfigError) as err:
        device.check_launch("my_kernel", launch(1, 2048))
    assert "kernel 'my_kernel': block (2048, 1, 1) has 2048 threads" in one_line(err)
    with pytest.raises(ConfigError) as err:
        device.check_launch("my_kernel", launch((1, 1 << 20), 32))
    assert "grid (1, 1048576, 1) exceeds" in one_line(err)
    assert device.check_launch("my_kernel", launch(4, (32, 8), 1024)) == launch(4, (32, 8), 1024)


def test_timer_synchronize_and_the_copy_reference(device):
    with device.timer() as t:
        device.copy_step(1 << 12)()
        device.synchronize()
    assert t.seconds >= 0
    assert CopyReference(device).gbs(1 << 12) > 0


def test_description_starts_with_the_properties_name(device):
    lines = device.describe()
    assert lines[0].startswith(device.properties.name) and all("\n" not in line for line in lines)
    assert device.name == f"{device.kind}: {device.properties.name}"


CAPABILITIES = {  # kind -> (emulated, reorders_schedules, graph_placement, has an L2 flusher, counts_memory)
    "cpu": (False, False, None, False, False),
    "emu": (True, True, "emu", False, True),
    "cuda": (False, False, "cuda", True, False),
}


def test_capabilities_answer_what_callers_used_to_ask_by_kind(device):
    got = (device.emulated, device.reorders_schedules, device.graph_placement, device.l2_flusher() is not None,
           device.counts_memory)
    assert got == CAPABILITIES[device.kind]


def test_memory_counters_where_the_device_counts_memory(device):
    from warpbench.check import check_problem
    kernel = device.compile("transpose_padded", {"TILE_DIM": 32, "BLOCK_ROWS": 8})
    problem = {"rows": 64, "cols": 64, "dtype": "float32"}
    if not device.counts_memory:
        with pytest.raises(WarpbenchError) as err:
            device.memory_counters(lambda: check_problem(kernel, problem))
        assert device.kind in one_line(err)
        return
    result, counters = device.memory_counters(lambda: check_problem(kernel, problem))
    assert result.ok
    # 64x64 floats read and written once, coalesced: 4096 * 4 B / 32 B sectors each way.
    assert counters["l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum"] == 512
    assert counters["l1tex__t_sectors_pipe_lsu_mem_global_op_st.sum"] == 512
    assert counters["l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum"] == 0


def test_schedule_checks_where_the_device_reorders_schedules(device):
    from warpbench.check import check_schedules
    kernel = device.compile("transpose_padded")
    problem = {"rows": 33, "cols": 65, "dtype": "float32"}
    if device.reorders_schedules:
        assert check_schedules(kernel, problem).identical
        return
    with pytest.raises(WarpbenchError) as err:
        check_schedules(kernel, problem)
    assert "transpose" in one_line(err)


def test_baselines_compute_the_workload(device):
    spec = get("transpose_padded")
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    for baseline in device.baselines(spec):
        assert baseline.workload is spec.workload and baseline.name != spec.name
        np.testing.assert_array_equal(baseline.run(a), a.T)
