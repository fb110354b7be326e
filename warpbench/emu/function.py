"""A kernel of a loaded module, launched on the emulator."""
from __future__ import annotations

import ctypes
import signal
import sys
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from warpbench.config import debug, env_number
from warpbench.emu import abi, addresses, instrument
from warpbench.emu.arguments import ArgumentPacker, PackedArgs
from warpbench.emu.diagnostics import LaunchContext, raise_for
from warpbench.emu.launch_config import parse_order
from warpbench.emu.memory import POISON, DeviceArray
from warpbench.emu.stacks import SIGNAL_STACK_BYTES, stack_pool
from warpbench.runtime.launch import validate_launch
from warpbench.runtime.properties import EMULATED

# One launch at a time in the process: the runtime's signal handlers and the fiber stacks
# are process-wide, and a launch is single-threaded by design (deterministic schedules).
LAUNCH_LOCK = threading.RLock()


def default_watchdog() -> float:
    """Seconds without progress after which a launch is stopped (WARPBENCH_EMU_WATCHDOG, 0: off)."""
    return env_number("WARPBENCH_EMU_WATCHDOG", 30.0)


def default_time_limit() -> float:
    """Seconds a launch may run in all (WARPBENCH_EMU_TIME_LIMIT, 0: off)."""
    return env_number("WARPBENCH_EMU_TIME_LIMIT", 300.0)


def _interrupted(kernel: str):
    """The SIGINT the runtime held back while the launch ran, delivered now: Python's
    handler runs in the main thread (KeyboardInterrupt by default), and the launch raises
    KeyboardInterrupt in any case, as its outputs are incomplete."""
    signal.raise_signal(signal.SIGINT)
    raise KeyboardInterrupt(f"kernel '{kernel}': launch stopped by SIGINT")


@dataclass(frozen=True)
class LaunchOutcome:
    """What a successful launch tells beyond its outputs."""
    float_atomic_params: frozenset[int]   # array parameters hit by float atomics
    float_atomics_elsewhere: bool         # float atomics on shared memory or globals
    blocks_run: int
    fiber_switches: int
    seconds: float


class EmuFunction:
    """A kernel: ``name``, ``param_types`` (C types such as ``"const float*"``),
    ``param_names``, ``static_shared_bytes``; call it to launch."""

    def __init__(self, module, name: str, entry: abi.KernelEntry, declaration):
        self.module, self.name = module, name
        signature = entry.signature.decode()
        self.param_types = signature.split(";") if signature else []
        names = list(declaration.param_names) if declaration else []
        if len(names) != len(self.param_types):
            names = [f"arg{i}" for i in range(len(self.param_types))]
        self.param_names = names
        self.launch_bounds = declaration.launch_bounds if declaration else None
        self._thunk = entry.thunk
        self._packer = ArgumentPacker(name, self.param_types, self.param_names)
        ranges, self.static_shared_bytes = module.shared_layout(entry.address)
        self._tls_ranges = (abi.TlsRange * max(1, len(ranges)))(*ranges)
        self._tls_count = len(ranges)
        guards = module.shared_guards
        self._tls_guards = (abi.TlsRange * max(1, len(guards)))(*guards)
        self._tls_guard_count = len(guards)

    @property
    def max_threads_per_block(self) -> int:
        """1024, or the kernel's ``__launch_bounds__``."""
        return min(1024, self.launch_bounds or 1024)

    def __repr__(self) -> str:
        params = ", ".join(f"{t} {n}" for t, n in zip(self.param_types, self.param_names))
        return f"<EmuFunction {self.name}({params})>"

    def __call__(self, *args, grid, block, shared: int = 0, thread_order: str = "forward",
                 block_order: str = "forward", check_determinism: bool = False,
                 poison: int = POISON, watchdog: float | None = None, time_limit: float | None = None,
                 racecheck: bool = False, initcheck: bool = False) -> None:
        """Launch over ``grid`` blocks of ``block`` threads with ``shared`` bytes of dynamic
        shared memory. ``thread_order``/``block_order``: "forward", "reverse" or
        "random:<seed>". ``check_determinism``: run the determinism check instead of one
        launch and raise NondeterministicResult if outputs depend on the schedule.
        ``watchdog``/``time_limit``: seconds without progress / in all before the launch is
        stopped (None: the environment's setting, 0: off). ``racecheck``/``initcheck``: run
        the module's instrumented build and raise RaceDetected / UninitializedRead (and
        OutOfBoundsAccess for any access outside every allocation)."""
        if check_determinism:
            from warpbench.emu.determinism import check_determinism as check
            check(self, *args, grid=grid, block=block, shared=shared, watchdog=watchdog,
                  time_limit=time_limit).raise_if_different()
            return
        checking = instrument.session(False, racecheck, initcheck) if racecheck or initcheck else nullcontext()
        with checking:
            self.launch(args, grid=grid, block=block, shared=shared, thread_order=thread_order,
                        block_order=block_order, poison=poison, watchdog=watchdog, time_limit=time_limit)

    def _arrays(self, args: tuple, packed: PackedArgs) -> list[tuple[int, DeviceArray]]:
        """The device arrays a launch may write: those passed, and those a raw address
        passed for a pointer parameter points into (their redzones are checked too)."""
        arrays = list(packed.arrays)
        for index, arg in enumerate(args):
            if (self.param_types[index].endswith("*") and isinstance(arg, (int, np.integer))
                    and not isinstance(arg, (bool, np.bool_))):
                region = addresses.region_at(int(arg))
                owner = region.owner() if region else None
                if isinstance(owner, DeviceArray):
                    arrays.append((index, owner))
        return arrays

    def launch(self, args: tuple, *, grid, block, shared: int = 0, thread_order: str = "forward",
               block_order: str = "forward", poison: int = POISON, watchdog: float | None = None,
               time_limit: float | None = None) -> LaunchOutcome:
        """One launch; returns what the determinism checker needs to know about it. Inside an
        instrument.session the launch runs through the module's instrumented build."""
        session = instrument.current()
        if session is not None and self.module.instrumented() is not self.module:
            return session.launch(self, args, grid=grid, block=block, shared=shared, thread_order=thread_order,
                                  block_order=block_order, poison=poison, watchdog=watchdog,
                                  time_limit=time_limit)
        checked = validate_launch(self.name, grid, block, shared, EMULATED, static_shared=self.static_shared_bytes,
                                  max_threads=self.launch_bounds)
        grid, block = checked.grid, checked.block
        packed = self._packer.pack(args)
        arrays = self._arrays(args, packed)
        config = self._config(arrays, packed, grid, block, int(shared), thread_order, block_order, poison,
                              default_watchdog() if watchdog is None else float(watchdog),
                              default_time_limit() if time_limit is None else float(time_limit))
        result = abi.LaunchResult()
        sys.stdout.flush()
        sys.stderr.flush()
        with LAUNCH_LOCK:
            start = time.perf_counter()
            self.module.library.wbemu_launch(ctypes.byref(config), ctypes.byref(result))
            seconds = time.perf_counter() - start
            table = self.module.library.wbemu_diagnostics()
            records = [abi.Diagnostic.from_buffer_copy(table[i]) for i in range(result.diagnostic_count)]
        debug(2, f"emu: {self.name} grid={grid} block={block} shared={shared} "
                 f"order={thread_order}/{block_order}: {seconds * 1e3:.2f} ms")
        for _, array in arrays:
            array.uninitialized = False
            if result.failed or result.interrupted:
                array.rearm_redzones()
        if result.interrupted:
            _interrupted(self.name)
        raise_for(LaunchContext(self.name, self.param_names, arrays, self.module.path,
                                self.module.base_address, self.module.source_names,
                                self.module.shared_arrays), records, result.dropped_diagnostics)
        hit = frozenset(arrays[i][0] for i in range(min(64, len(arrays)))
                        if result.float_atomic_buffers >> i & 1)
        return LaunchOutcome(hit, bool(result.float_atomics_elsewhere), result.blocks_run,
                             result.fiber_switches, seconds)

    def _config(self, arrays: list[tuple[int, DeviceArray]], packed: PackedArgs, grid, block, shared: int,
                thread_order: str, block_order: str, poison: int, watchdog: float,
                time_limit: float) -> abi.LaunchConfig:
        thread_kind, thread_seed = parse_order(thread_order, "thread_order")
        block_kind, block_seed = parse_order(block_order, "block_order")
        zones = [(zone, i) for i, (_, array) in enumerate(arrays) for zone in array.redzones()]
        redzones = (abi.Redzone * max(1, len(zones)))(
            *[abi.Redzone(start, expected, size, i, after) for (start, expected, size, after), i in zones])
        buffers = (abi.Range * max(1, len(arrays)))(*[abi.Range(a.ptr, a.ptr + a.nbytes) for _, a in arrays])
        pool = stack_pool()
        return abi.LaunchConfig(
            thunk=self._thunk, args=ctypes.cast(packed.pointers, ctypes.c_void_p),
            grid=abi.Dim3(*grid), block=abi.Dim3(*block), dynamic_shared=shared,
            thread_order=thread_kind, block_order=block_kind, thread_seed=thread_seed,
            block_seed=block_seed, poison=int(poison) & 0xFF, watchdog_seconds=watchdog,
            time_limit_seconds=time_limit,
            stacks=pool.base, stack_stride=pool.stride, stack_count=pool.count,
            signal_stack=pool.signal_stack, signal_stack_size=SIGNAL_STACK_BYTES,
            redzones=redzones, redzone_count=len(zones), buffers=buffers, buffer_count=len(arrays),
            tls_ranges=self._tls_ranges, tls_range_count=self._tls_count,
            tls_anchor_offset=self.module.tls_anchor_offset, tls_guards=self._tls_guards,
            tls_guard_count=self._tls_guard_count)
