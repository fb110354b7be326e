"""Faults that used to kill or hang Python (issue 7, item 6): each raises a named exception,
and the next launch in the same process is correct. Each test runs its script in a fresh
interpreter, so a regression fails that test instead of killing the session."""
import numpy as np

from tests.emu.support import KERNELS, line_of, run_isolated

FAULTS = KERNELS / "faults.cu"
PRELUDE = f"""
import numpy as np
from warpbench import emu
module = emu.compile_file({str(FAULTS)!r})

def fault(call):
    try:
        call()
    except emu.KernelFault as error:
        print(type(error).__name__, "|", error.block, "|", error.thread, "|", error.line, "|", error)
        return
    print("no fault")
"""


def _fields(line: str) -> list[str]:
    return [part.strip() for part in line.split("|", 4)]


def test_integer_division_by_zero_and_int_min_by_minus_one():
    script = PRELUDE + """
f = module.get_function("divide")
n = np.array([7, -2**31, 5, -9], np.int32)
for d in ([2, 1, 0, 3], [2, -1, 1, 3]):
    fault(lambda: f(emu.to_device(n), emu.to_device(np.array(d, np.int32)), emu.zeros(4, np.int32),
                    grid=1, block=4))
out = emu.zeros(4, np.int32)
f(emu.to_device(n), emu.to_device(np.array([2, 1, 1, 3], np.int32)), out, grid=1, block=4)
print(*out.get())
"""
    zero, overflow, result = run_isolated(script)
    line = str(line_of(FAULTS, "DIVIDE"))
    assert _fields(zero)[:4] == ["ArithmeticFault", "(0, 0, 0)", "(2, 0, 0)", line]
    assert "kernel 'divide'" in zero and "division (/ or %) by zero" in zero
    assert _fields(overflow)[:4] == ["ArithmeticFault", "(0, 0, 0)", "(1, 0, 0)", line]
    assert "overflow" in overflow and "INT_MIN / -1" in overflow
    numerators, denominators = [7, -2**31, 5, -9], [2, 1, 1, 3]
    expected = [int(a / b) + (a - int(a / b) * b) for a, b in zip(numerators, denominators)]
    assert [int(v) for v in result.split()] == expected


def test_a_write_a_mebibyte_past_an_array_is_caught_at_once():
    script = PRELUDE + """
f = module.get_function("write_far")
for distance in (1 << 20, 8 << 10, -4000 - 5000):
    out = emu.zeros(1000, np.float32)
    fault(lambda: f(out, np.int32(1000), np.int64(distance), np.int32(77), grid=4, block=256))
out = emu.zeros(1000, np.float32)
f(out, np.int32(1000), np.int64(0), np.int32(-1), grid=4, block=256)
print(np.array_equal(out.get(), np.ones(1000, np.float32)))
"""
    far, kilobytes, before, correct = run_isolated(script)
    line = str(line_of(FAULTS, "WRITE_FAR"))
    for report in (far, kilobytes, before):
        assert _fields(report)[:4] == ["OutOfBoundsWrite", "(0, 0, 0)", "(77, 0, 0)", line]
        assert "buffer 'out' (parameter 0, float32[1000] (4000 bytes))" in report
    assert "1048576 bytes after its end" in far and "8192 bytes after its end" in kilobytes
    assert "5000 bytes before its start" in before
    assert correct == "True"


def test_a_raw_launch_with_n_past_the_allocation():
    script = PRELUDE + """
import warpbench.emu as drv
f = drv.SourceModule(open({path!r}).read(), no_extern_c=True).get_function("fill_n").prepare("Pi")
allocation = drv.mem_alloc(400)
for n in (120, 100000):
    fault(lambda: f.prepared_call((-(-n // 256), 1), (256, 1, 1), int(allocation), n))
f.prepared_call((1, 1), (256, 1, 1), allocation, 100)
host = np.empty(100, np.float32)
drv.memcpy_dtoh(host, allocation)
print(np.array_equal(host, np.full(100, 3, np.float32)))
""".format(path=str(FAULTS))
    small, large, correct = run_isolated(script)
    line = str(line_of(FAULTS, "FILL_N"))
    for report in (small, large):
        assert _fields(report)[:4] == ["OutOfBoundsWrite", "(0, 0, 0)", "(100, 0, 0)", line]
        assert "(parameter 0, uint8[400] (400 bytes))" in report and "first at byte +0 after its end" in report
    assert correct == "True"


def test_static_shared_overrun_names_the_array():
    script = PRELUDE + """
f = module.get_function("shared_index")
for index in (64, 80, -1):
    fault(lambda: f(emu.zeros(128, np.float32), np.int32(index), grid=2, block=64))
out = emu.zeros(128, np.float32)
f(out, np.int32(3), grid=2, block=64)
print(*out.get())
"""
    past, further, before, result = run_isolated(script)
    for report in (past, further, before):
        assert _fields(report)[:3] == ["SharedMemoryOverflow", "(0, 0, 0)", "(5, 0, 0)"]
    assert "wrote past the end of __shared__ array 'tile' (256 bytes)" in past and "byte +0" in past
    assert "past the end of __shared__ array 'tile'" in further and "byte +64" in further
    assert "wrote before the start of __shared__ array 'tile'" in before and "byte -4" in before
    expected = np.tile(3 * np.arange(64, dtype=np.float32), 2)
    expected[[3, 67]] = -1 + 2 * 3
    np.testing.assert_array_equal(np.array(result.split(), np.float32), expected)


def test_a_loop_around_syncthreads_stops_at_the_time_limit():
    script = PRELUDE + """
f = module.get_function("barrier_loop")
fault(lambda: f(emu.zeros(1, np.int32), emu.zeros(64, np.int32), grid=1, block=64))
fault(lambda: f(emu.zeros(1, np.int32), emu.zeros(64, np.int32), grid=1, block=64, time_limit=0.5))
out = emu.zeros(64, np.int32)
f(emu.to_device(np.ones(1, np.int32)), out, grid=1, block=64)
print(np.array_equal(out.get(), np.ones(64, np.int32)), isinstance(emu.TimeLimitExceeded("", kernel=""),
                                                                     emu.WatchdogTimeout))
"""
    from_environment, from_keyword, correct = run_isolated(script, env={"WARPBENCH_EMU_TIME_LIMIT": "0.5"})
    for report in (from_environment, from_keyword):
        name, block, thread, _, message = _fields(report)
        assert name == "TimeLimitExceeded" and block == "(0, 0, 0)" and thread != "None"
        assert "time limit of 0.5 s" in message and "kernel 'barrier_loop'" in message
        assert f"faults.cu:{line_of(FAULTS, 'BARRIER_LOOP')}" in message
    assert correct == "True True"


def test_ctrl_c_stops_a_launch_with_the_watchdog_off():
    script = PRELUDE + """
import os, signal, threading
f = module.get_function("spin_forever")
threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
try:
    f(emu.zeros(1, np.int32), emu.zeros(32, np.int32), grid=1, block=32)
    print("finished")
except KeyboardInterrupt:
    print("KeyboardInterrupt")
out = emu.zeros(32, np.int32)
f(emu.to_device(np.ones(1, np.int32)), out, grid=1, block=32)
print(np.array_equal(out.get(), np.ones(32, np.int32)))
"""
    lines = run_isolated(script, env={"WARPBENCH_EMU_WATCHDOG": "0", "WARPBENCH_EMU_TIME_LIMIT": "0"})
    assert lines == ["KeyboardInterrupt", "True"]
