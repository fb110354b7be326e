"""The cuda device's glue to PyCUDA, exercised without a GPU through a recording stand-in.

``pycuda`` is replaced by a small fake that records what the device asks of it; cubins are
real (nvcc). This checks our side of the contract (what is prepared, launched, opted in,
timed and copied); the ``gpu``-marked tests check the real thing on a GPU.
"""
import atexit
import shutil
import sys
import types

import numpy as np
import pytest

from warpbench.errors import ConfigError, ShapeError

pytestmark = pytest.mark.skipif(not shutil.which("nvcc"), reason="nvcc is not installed")

H100 = {"MULTIPROCESSOR_COUNT": 132, "WARP_SIZE": 32, "MAX_THREADS_PER_BLOCK": 1024, "MAX_BLOCK_DIM_X": 1024,
        "MAX_BLOCK_DIM_Y": 1024, "MAX_BLOCK_DIM_Z": 64, "MAX_GRID_DIM_X": 2**31 - 1, "MAX_GRID_DIM_Y": 65535,
        "MAX_GRID_DIM_Z": 65535, "MAX_THREADS_PER_MULTIPROCESSOR": 2048, "MAX_REGISTERS_PER_MULTIPROCESSOR": 65536,
        "MAX_SHARED_MEMORY_PER_BLOCK": 49152, "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN": 232448,
        "MAX_SHARED_MEMORY_PER_MULTIPROCESSOR": 233472, "L2_CACHE_SIZE": 52428800}


class FakeArray:
    _next = 0x7000_0000

    def __init__(self, host):
        self.host, self.shape, self.dtype, self.nbytes = host, host.shape, host.dtype, host.nbytes
        FakeArray._next += 1 << 20
        self.gpudata = FakeArray._next

    def get(self):
        return self.host.copy()

    def fill(self, value):
        self.host.fill(value)


class FakeFunction:
    def __init__(self, name, log):
        self.name, self.log, self.max_threads = name, log, 1024

    def get_attribute(self, attribute):
        assert attribute == "MAX_THREADS_PER_BLOCK"
        return self.max_threads

    def set_attribute(self, attribute, value):
        self.log.append(("set_attribute", self.name, attribute, value))

    def prepare(self, arg_types):
        self.log.append(("prepare", self.name, [np.dtype(t).char for t in arg_types]))
        return self

    def prepared_async_call(self, grid, block, stream, *args, shared_size=0):
        self.log.append(("launch", self.name, grid, block, stream, args, shared_size))


@pytest.fixture
def fake_pycuda(monkeypatch):
    log = []
    drv = types.ModuleType("pycuda.driver")

    class Error(Exception):
        pass

    class Context:
        def push(self):
            log.append(("push",))

        def pop(self):
            log.append(("pop",))

        @staticmethod
        def synchronize():
            log.append(("synchronize",))

    class Device:
        def __init__(self, ordinal):
            assert ordinal == 0

        @staticmethod
        def count():
            return 1

        def name(self):
            return "Fake H100"

        def compute_capability(self):
            return (9, 0)

        def get_attribute(self, attribute):
            return H100[attribute]

        def retain_primary_context(self):
            return Context()

    class Event:
        def record(self, stream=None):
            log.append(("record",))

        def synchronize(self):
            pass

        def time_since(self, start):
            return 2.0

    class Module:
        def __init__(self, cubin):
            assert cubin[:4] == b"\x7fELF", "the device must load a real cubin"

        def get_function(self, name):
            return FakeFunction(name, log)

    names = types.SimpleNamespace(**{k: k for k in H100})
    drv.__dict__.update(
        Error=Error, Context=Context, Device=Device, Event=Event, init=lambda: None,
        device_attribute=names, get_driver_version=lambda: 13000,
        function_attribute=types.SimpleNamespace(MAX_THREADS_PER_BLOCK="MAX_THREADS_PER_BLOCK",
                                                 MAX_DYNAMIC_SHARED_SIZE_BYTES="MAX_DYNAMIC_SHARED_SIZE_BYTES"),
        module_from_buffer=Module,
        memcpy_dtod_async=lambda dst, src, size: log.append(("dtod", dst, src, size)))
    gpuarray = types.ModuleType("pycuda.gpuarray")
    gpuarray.to_gpu = lambda a: FakeArray(np.array(a))
    gpuarray.empty = lambda shape, dtype: FakeArray(np.empty(shape, dtype))
    tools = types.ModuleType("pycuda.tools")
    tools.clear_context_caches = lambda: log.append(("clear_context_caches",))
    package = types.ModuleType("pycuda")
    package.driver, package.gpuarray, package.tools = drv, gpuarray, tools
    for name, module in (("pycuda", package), ("pycuda.driver", drv), ("pycuda.gpuarray", gpuarray),
                         ("pycuda.tools", tools)):
        monkeypatch.setitem(sys.modules, name, module)
    from warpbench.runtime import cuda
    cuda.probe.cache_clear()
    yield log
    cuda.probe.cache_clear()


@pytest.fixture
def device(fake_pycuda):
    from warpbench.runtime.cuda import CudaDevice
    dev = CudaDevice()
    yield dev
    atexit.unregister(dev._release)


def test_properties_come_from_the_driver(device, fake_pycuda):
    p = device.properties
    assert (p.name, p.arch, p.sm_count, p.shared_per_block_optin) == ("Fake H100 (sm_90)", "sm_90", 132, 232448)
    assert device.driver_version == "13.0" and ("push",) in fake_pycuda


def test_a_launch_is_prepared_once_with_pointers_as_integers(device, fake_pycuda):
    kernel = device.compile("transpose_padded")
    a = device.to_device(np.ones((33, 65), np.float32))
    out = device.empty((65, 33), np.float32)
    for _ in range(2):
        kernel.launch_problem({"rows": 33, "cols": 65}, {"in": a, "out": out})
    prepares = [e for e in fake_pycuda if e[0] == "prepare"]
    assert prepares == [("prepare", "transpose_padded", ["L", "L", "i", "i"])]
    _, name, grid, block, stream, args, shared = [e for e in fake_pycuda if e[0] == "launch"][-1]
    assert (grid, block, stream, shared) == ((3, 2, 1), (32, 8, 1), None, 0)
    assert args[:2] == (out.gpudata, a.gpudata) and all(type(x) is int for x in args[:2])
    assert args[2:] == (33, 65) and args[2].dtype == np.int32


def test_dynamic_shared_memory_beyond_48k_is_opted_in(device, fake_pycuda):
    kernel = device.compile("softmax_block_row")
    x = device.to_device(np.ones((4, 20000), np.float32))
    out = device.empty((4, 20000), np.float32)
    kernel.launch_problem({"rows": 4, "cols": 20000, "dtype": "float32"}, {"x": x, "out": out})
    shared = [e for e in fake_pycuda if e[0] == "launch"][-1][-1]
    assert shared > 48 * 1024
    assert ("set_attribute", "softmax_block_row", "MAX_DYNAMIC_SHARED_SIZE_BYTES", shared) in fake_pycuda


def test_thread_limits_are_checked_before_launching(device, fake_pycuda):
    kernel = device.compile("axpb_f32")
    x = device.to_device(np.ones(8, np.float32))
    with pytest.raises(ConfigError, match="2048 threads"):
        kernel(x, x, 1.0, 0.0, 8, grid=1, block=2048)
    kernel.max_threads_per_block = 256
    with pytest.raises(ConfigError, match="at most 256"):
        kernel(x, x, 1.0, 0.0, 8, grid=1, block=512)
    assert not [e for e in fake_pycuda if e[0] == "launch"]


def test_timer_reads_events_in_seconds_and_copies_use_dtod(device, fake_pycuda):
    with device.timer() as t:
        pass
    assert t.seconds == pytest.approx(2e-3)
    a, b = device.to_device(np.ones(16, np.float32)), device.empty((16,), np.float32)
    device.copy_device_to_device(b, a)
    assert ("dtod", b.gpudata, a.gpudata, 64) in fake_pycuda


def test_release_pops_and_clears_the_context_caches(device, fake_pycuda):
    device._release()
    assert fake_pycuda[-2:] == [("pop",), ("clear_context_caches",)]


def test_capabilities_and_description(device, fake_pycuda):
    assert (device.graph_placement, device.emulated, device.reorders_schedules) == ("cuda", False, False)
    first, details = device.describe()
    assert first == "Fake H100 (sm_90), driver CUDA 13.0"
    assert details == "132 SMs, 2048 threads/SM, shared 48 KiB/block (227 opt-in), L2 50 MiB"


def test_the_l2_flusher_overwrites_twice_the_l2_from_one_buffer(device):
    flush = device.l2_flusher()
    scratch = device._l2_scratch
    assert scratch.nbytes == 2 * H100["L2_CACHE_SIZE"] and scratch.dtype == np.int32
    scratch.host[:4] = 7
    flush()
    assert not scratch.host[:4].any()
    device.l2_flusher()
    assert device._l2_scratch is scratch


def test_the_copy_reference_is_a_dtod_copy_of_the_bytes(device, fake_pycuda):
    step = device.copy_step(4096)
    step()
    assert [e[-1] for e in fake_pycuda if e[0] == "dtod"] == [4096]
    with pytest.raises(ShapeError, match="cannot copy 64 bytes into an array of 32"):
        device.copy_device_to_device(device.empty((8,), np.float32), device.to_device(np.ones(16, np.float32)))
    assert len([e for e in fake_pycuda if e[0] == "dtod"]) == 1


def test_an_empty_problem_launches_nothing(device, fake_pycuda):
    out = device.compile("transpose_padded").run(np.zeros((0, 5), np.float32))
    assert out.shape == (5, 0)
    assert not [e for e in fake_pycuda if e[0] in ("prepare", "launch")]


def test_launch_limits_come_from_the_validator(device, fake_pycuda):
    kernel = device.compile("axpb_f32")
    x = device.to_device(np.ones(8, np.float32))
    with pytest.raises(ConfigError, match=r"^kernel 'axpb_f32': grid \(1, 70000, 1\) exceeds sm_90's 65535 blocks"):
        kernel(x, x, 1.0, 0.0, 8, grid=(1, 70000), block=32)
    kernel.max_threads_per_block = 256
    with pytest.raises(ConfigError, match="its __launch_bounds__ or register use allows at most 256 per block"):
        kernel(x, x, 1.0, 0.0, 8, grid=1, block=512)
    assert not [e for e in fake_pycuda if e[0] == "launch"]
