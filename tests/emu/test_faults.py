"""Out-of-bounds writes, memory faults, device asserts, the watchdog, printf
(items 21, 22, 27, 28); the faults that killed the process are in test_fault_recovery.py."""
import sys
import time

import numpy as np
import pytest

from warpbench import emu
from tests.emu.support import KERNELS, line_of


def test_off_by_one_write_names_buffer_and_offset(kernels, schedule):
    out = emu.zeros(1000, np.float32)
    f = kernels("faults.cu").get_function("off_by_one")
    with pytest.raises(emu.OutOfBoundsWrite) as info:
        f(out, np.int32(1000), grid=4, block=256, **schedule)
    message = str(info.value)
    assert "off_by_one" in message and "buffer 'out' (parameter 0" in message
    assert "past the end" in message and "byte +0 after its end" in message and "4000 bytes" in message
    assert info.value.block == (3, 0, 0) and info.value.thread == (232, 0, 0)   # index 1000
    assert info.value.line == line_of(KERNELS / "faults.cu", "OFF_BY_ONE")
    f(out, np.int32(999), grid=4, block=256)     # the redzone was re-armed: the next launch is clean
    assert (out.get() == 1).all()


def test_write_before_start(kernels, schedule):
    f = kernels("faults.cu").get_function("write_before_start")
    with pytest.raises(emu.OutOfBoundsWrite, match=r"before the start.*byte -4 before its start"):
        f(emu.zeros(100, np.float32), np.int32(100), grid=1, block=128, **schedule)


def test_far_read_is_a_memory_fault_with_the_source_line(kernels):
    f = kernels("faults.cu").get_function("far_read")
    with pytest.raises(emu.MemoryFault) as info:
        f(emu.zeros(32, np.float32), emu.zeros(32, np.float32), grid=1, block=32)
    assert "invalid memory access" in str(info.value)
    assert info.value.line == line_of(KERNELS / "faults.cu", "FAR_READ")
    assert info.value.thread == (0, 0, 0)


def test_stack_overflow_is_reported(kernels):
    f = kernels("faults.cu").get_function("huge_locals")
    with pytest.raises(emu.MemoryFault, match="stack overflow"):
        f(emu.zeros(1, np.float32), np.int32(64 * 1024), grid=1, block=1)


def test_device_assert_raises_and_the_process_survives(kernels, schedule):
    values = np.arange(-3, 61, dtype=np.int32)[::-1].copy()
    f = kernels("faults.cu").get_function("checked")
    with pytest.raises(emu.DeviceAssert) as info:
        f(emu.to_device(values), emu.zeros(64, np.int32), grid=2, block=32, **schedule)
    assert "assertion 'v >= 0' failed" in str(info.value)
    assert info.value.line == line_of(KERNELS / "faults.cu", "DEVICE_ASSERT")
    assert info.value.block == (1, 0, 0) and info.value.thread[0] >= 29
    out = emu.zeros(64, np.int32)
    f(emu.to_device(np.abs(values)), out, grid=2, block=32, **schedule)
    np.testing.assert_array_equal(out.get(), 2 * np.abs(values))


def test_trap(kernels):
    with pytest.raises(emu.DeviceAssert, match=r"thread \(5, 0, 0\).*__trap\(\) called") as info:
        kernels("faults.cu").get_function("trapping")(emu.zeros(32, np.int32), np.int32(5), grid=1, block=32)
    assert info.value.line == line_of(KERNELS / "faults.cu", "TRAP")


def test_raw_address_arguments_get_their_redzones_checked(kernels):
    allocation = emu.mem_alloc(400)
    f = kernels("faults.cu").get_function("fill_n")
    with pytest.raises(emu.OutOfBoundsWrite, match=r"thread \(100, 0, 0\).*uint8\[400\]") as info:
        f(int(allocation) + 0, np.int32(120), grid=1, block=256)
    assert info.value.line == line_of(KERNELS / "faults.cu", "FILL_N")
    f(int(allocation), np.int32(100), grid=1, block=256)
    assert (allocation.data.view(np.float32) == 3).all()


def test_a_read_far_past_an_array_names_it(kernels):
    f = kernels("faults.cu").get_function("far_read_by")
    with pytest.raises(emu.MemoryFault) as info:
        f(emu.zeros(32, np.float32), emu.zeros(32, np.float32), np.int64(1 << 18), grid=1, block=32)
    assert not isinstance(info.value, emu.OutOfBoundsWrite)
    assert "read outside buffer 'in' (parameter 0, float32[32] (128 bytes))" in str(info.value)
    assert "1048448 bytes after its end (in its guard region)" in str(info.value)
    assert info.value.line == line_of(KERNELS / "faults.cu", "FAR_READ_BY") and info.value.thread == (0, 0, 0)


def test_watchdog_fires_after_about_its_period(kernels):
    """It sampled progress once per period, so a thread stuck just after a sample was
    stopped only after twice the period."""
    f = kernels("faults.cu").get_function("spin_forever")
    start = time.perf_counter()
    with pytest.raises(emu.WatchdogTimeout):
        f(emu.zeros(1, np.int32), emu.zeros(32, np.int32), grid=1, block=32, watchdog=1.0, time_limit=0)
    assert 0.9 < time.perf_counter() - start < 1.8


def test_watchdog_stops_an_infinite_loop(kernels):
    f = kernels("faults.cu").get_function("spin_forever")
    with pytest.raises(emu.WatchdogTimeout) as info:
        f(emu.zeros(1, np.int32), emu.zeros(32, np.int32), grid=1, block=32, watchdog=0.2)
    assert "no progress" in str(info.value) and info.value.thread == (0, 0, 0)
    assert info.value.file.endswith("faults.cu")
    out = emu.zeros(32, np.int32)
    f(emu.to_device(np.array([1], np.int32)), out, grid=1, block=32, watchdog=0.2)
    assert (out.get() == 1).all()


def test_printf_output_is_ordered_with_python(kernels, capfd):
    print("before")
    kernels("faults.cu").get_function("hello")(np.int32(7), grid=2, block=2)
    print("after")
    sys.stdout.flush()
    lines = capfd.readouterr().out.splitlines()
    assert lines[0] == "before" and lines[-1] == "after"
    assert sorted(lines[1:-1]) == [f"block {b} thread {t} tag 7" for b in range(2) for t in range(2)]


def test_misaligned_vector_access_with_the_alignment_sanitizer(kernels):
    """Item 25: a CPU tolerates misaligned vectors where a GPU faults; UBSan's alignment check,
    trapping instead of printing, makes the emulator report it with the line."""
    module = kernels("faults.cu", options=["-fsanitize=alignment", "-fsanitize-undefined-trap-on-error"])
    with pytest.raises(emu.MemoryFault, match="sanitizer check trapped") as info:
        module.get_function("misaligned_float4")(emu.zeros(256, np.float32), emu.zeros(32, np.float32),
                                                 grid=1, block=32)
    misaligned = line_of(KERNELS / "faults.cu", "MISALIGNED")
    assert info.value.line in (misaligned, misaligned + 1)     # the load, or the use it feeds
