"""Launches through the instrumented build: memory metrics, racecheck, initcheck, bounds.

The instrumented build of a module is the same source compiled with ``-fsanitize=thread``
but linked without libtsan: every load, store and atomic calls the runtime's own callbacks
(runtime/instrument.cpp), which know the CUDA thread running, the access site (its program
counter, turned into file:line here through addr2line) and the address space. It is
compiled and cached apart from the plain build, on first use only.

A :func:`session` makes every emulated launch inside it run instrumented and keeps one
:class:`LaunchProfile` per launch; ``f(..., racecheck=True)`` and :func:`profile` are built
on it. A finding (a race, a read of memory never written, an access outside every
allocation) raises RaceDetected, UninitializedRead or OutOfBoundsAccess after the launch.
"""
from __future__ import annotations

import contextlib
import ctypes
import shutil
import subprocess
from dataclasses import dataclass, field

from warpbench.emu import abi, addresses
from warpbench.emu import errors as E
from warpbench.emu.diagnostics import original_name
from warpbench.emu.memory import DeviceArray

SPACES = ("global", "shared", "local")
OPS = ("load", "store", "atomic")
_RACE, _UNINIT, _BOUNDS = 0, 1, 2
_u64 = ctypes.c_uint64


class _Region(ctypes.Structure):
    _fields_ = [("start", _u64), ("end", _u64), ("data_start", _u64), ("data_end", _u64),
                ("initialized", ctypes.c_int), ("id", ctypes.c_int)]


class _Config(ctypes.Structure):
    _fields_ = [("metrics", ctypes.c_int), ("racecheck", ctypes.c_int), ("initcheck", ctypes.c_int),
                ("regions", ctypes.POINTER(_Region)), ("region_count", ctypes.c_uint)]


class _SiteStats(ctypes.Structure):
    _fields_ = [("pc", _u64), ("space", ctypes.c_int), ("op", ctypes.c_int), ("lane_accesses", _u64),
                ("requests", _u64), ("sectors", _u64), ("wavefronts", _u64), ("ideal_wavefronts", _u64),
                ("bytes", _u64)]


class _Finding(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("space", ctypes.c_int), ("write", ctypes.c_int),
                ("other_write", ctypes.c_int), ("inter_block", ctypes.c_int), ("region", ctypes.c_int),
                ("pc", _u64), ("other_pc", _u64), ("address", _u64), ("block", abi.Dim3), ("thread", abi.Dim3),
                ("other_block", abi.Dim3), ("other_thread", abi.Dim3), ("occurrences", _u64)]


def _bind(library: ctypes.CDLL) -> None:
    library.wbemu_instrument_begin.argtypes = [ctypes.POINTER(_Config)]
    library.wbemu_instrument_begin.restype = None
    library.wbemu_instrument_sites.argtypes = [ctypes.POINTER(ctypes.c_uint)]
    library.wbemu_instrument_sites.restype = ctypes.POINTER(_SiteStats)
    library.wbemu_instrument_findings.argtypes = [ctypes.POINTER(ctypes.c_uint)]
    library.wbemu_instrument_findings.restype = ctypes.POINTER(_Finding)
    library.wbemu_instrument_end.argtypes = []
    library.wbemu_instrument_end.restype = None


@dataclass(frozen=True)
class SiteMetrics:
    """One access site's totals over a launch: ``space`` global/shared/local, ``op``
    load/store/atomic; a request is one warp-level execution (Nsight Compute's definition)."""
    file: str | None
    line: int | None
    space: str
    op: str
    lane_accesses: int
    requests: int
    sectors: int
    wavefronts: int
    ideal_wavefronts: int
    bytes: int


@dataclass
class LaunchProfile:
    """What the instrumented build measured in one launch."""
    kernel: str
    grid: tuple
    block: tuple
    sites: list[SiteMetrics]
    seconds: float


@dataclass
class Session:
    """Instrumented launches in progress: which checks run, and each launch's profile."""
    metrics: bool = True
    racecheck: bool = False
    initcheck: bool = False
    launches: list[LaunchProfile] = field(default_factory=list)

    def launch(self, function, args: tuple, **launch_options):
        """Run ``function`` (an EmuFunction) through its module's instrumented build."""
        module = function.module.instrumented()
        instrumented = module.get_function(function.name)
        library = module.library
        _bind(library)
        regions, owners = _regions(module)
        table = (_Region * max(1, len(regions)))(*regions)
        library.wbemu_instrument_begin(ctypes.byref(_Config(
            int(self.metrics), int(self.racecheck), int(self.initcheck), table, len(regions))))
        fault, outcome = None, None
        try:
            outcome = instrumented.launch(args, **launch_options)
        except E.KernelFault as exc:
            fault = exc
        finally:
            count = ctypes.c_uint()
            stats = library.wbemu_instrument_sites(ctypes.byref(count))
            stats = [_SiteStats.from_buffer_copy(stats[i]) for i in range(count.value)]
            findings = library.wbemu_instrument_findings(ctypes.byref(count))
            findings = [_Finding.from_buffer_copy(findings[i]) for i in range(count.value)]
            library.wbemu_instrument_end()
        lines = source_lines(module, [s.pc for s in stats] + [p for f in findings for p in (f.pc, f.other_pc)])
        self.launches.append(LaunchProfile(function.name, _triple(launch_options["grid"]),
                                           _triple(launch_options["block"]),
                                           [_site(s, lines) for s in stats], outcome.seconds if outcome else 0.0))
        if findings:
            raise _error(function, findings, lines, owners, args) from fault
        if fault is not None:
            raise fault
        return outcome


_active: Session | None = None


def current() -> Session | None:
    """The session launches run in now, or None (plain launches)."""
    return _active


@contextlib.contextmanager
def session(metrics: bool = True, racecheck: bool = False, initcheck: bool = False):
    """Every emulated launch inside the ``with`` block runs instrumented; yields the Session."""
    global _active
    previous, _active = _active, Session(metrics, racecheck, initcheck)
    try:
        yield _active
    finally:
        _active = previous


def profile(function, *args, grid, block, shared: int = 0, racecheck: bool = False,
            initcheck: bool = False) -> LaunchProfile:
    """Launch ``function`` once instrumented and return its memory metrics per site.
    ``function`` is an EmuFunction or a PyCUDA-style one from ``SourceModule`` (whose
    ``In``/``Out`` arguments are copied as in a plain call)."""
    with session(True, racecheck, initcheck) as running:
        function(*args, grid=grid, block=block, shared=shared)
    return running.launches[-1]


def _regions(module) -> tuple[list[_Region], list]:
    """Every live allocation and the module's own globals, by address; and their owners."""
    spans = []
    for region in addresses.live_regions():
        owner = region.owner()
        initialized = not (isinstance(owner, DeviceArray) and owner.uninitialized)
        spans.append((region.start, region.end, region.data_start, region.data_end, initialized, region.label))
    for name, (address, size) in module.user_globals().items():
        spans.append((address, address + size, address, address + size, True, f"__device__ variable '{name}'"))
    spans.sort()
    kept, end = [], 0
    for span in spans:
        if span[0] >= end:
            kept.append(span)
            end = span[1]
    regions = [_Region(s, e, ds, de, int(init), i) for i, (s, e, ds, de, init, _) in enumerate(kept)]
    return regions, kept


def source_lines(module, pcs) -> dict[int, tuple[str | None, int | None]]:
    """file:line of each access site, by addr2line on the module (one run for all). A
    callback's return address is the instruction after the call, hence ``pc - 1``."""
    wanted = sorted({pc for pc in pcs if pc})
    tool = shutil.which("addr2line")
    found = {pc: (None, None) for pc in wanted}
    if not wanted or not tool:
        return found
    done = subprocess.run([tool, "-e", str(module.path), "-a", "-i",
                           *(hex(pc - 1 - module.base_address) for pc in wanted)],
                          capture_output=True, text=True, check=False)
    index = -1
    for text in done.stdout.splitlines():
        if text.startswith("0x"):
            index += 1
            continue
        file, _, number = text.rpartition(":")
        number = number.split()[0] if number else ""
        pc = wanted[index] if 0 <= index < len(wanted) else None
        if pc and found[pc][0] is None and file and file != "??" and number.isdigit() and int(number) > 0:
            found[pc] = (original_name(file, module.source_names), int(number))
    return found


def _site(stats: _SiteStats, lines: dict) -> SiteMetrics:
    file, line = lines.get(stats.pc, (None, None))
    return SiteMetrics(file, line, SPACES[stats.space], OPS[stats.op], stats.lane_accesses, stats.requests,
                       stats.sectors, stats.wavefronts, stats.ideal_wavefronts, stats.bytes)


def _at(lines: dict, pc: int) -> tuple[str, str | None, int | None]:
    file, line = lines.get(pc, (None, None))
    return (f"{file}:{line}" if file else f"pc {pc:#x}"), file, line


def _where(finding: _Finding, owners: list, function, args: tuple) -> str:
    if finding.space != 0 or finding.region < 0:
        return "shared memory" if finding.space == 1 else "local memory"
    start, _, data_start, data_end, _, label = owners[finding.region]
    names = [f"parameter {i} '{function.param_names[i]}'" for i, arg in enumerate(args)
             if isinstance(arg, DeviceArray) and arg.ptr <= data_start < arg.ptr + max(arg.nbytes, 1)]
    offset = finding.address - data_start
    return f"{names[0] if names else label} (byte {offset:+d} of {data_end - data_start})"


def _triple(value) -> tuple[int, int, int]:
    values = (value,) if isinstance(value, int) else tuple(int(v) for v in value)
    return (*values, *(1,) * (3 - len(values)))


def _dim(d: abi.Dim3) -> tuple[int, int, int]:
    return d.x, d.y, d.z


def _error(function, findings: list[_Finding], lines: dict, owners: list, args: tuple) -> E.KernelFault:
    first = findings[0]
    shown, file, line = _at(lines, first.pc)
    more = f" ({len(findings) - 1} more finding(s))" if len(findings) > 1 else ""
    where = dict(kernel=function.name, block=_dim(first.block), thread=_dim(first.thread), file=file, line=line)
    thread = f"thread {_dim(first.thread)} of block {_dim(first.block)}"
    memory = _where(first, owners, function, args)
    if first.kind == _RACE:
        other, other_file, other_line = _at(lines, first.other_pc)
        verb, other_verb = ("writes" if first.write else "reads"), ("wrote" if first.other_write else "read")
        when = ("another block, in any order (blocks are not ordered)" if first.inter_block
                else "the same barrier interval, not both atomically")
        partner = (f"thread {_dim(first.other_thread)} of block {_dim(first.other_block)}")
        return E.RaceDetected(
            f"kernel '{function.name}': data race on {memory}: {thread} {verb} it at {shown} while {partner} "
            f"{other_verb} it at {other} in {when}{more}", other_thread=_dim(first.other_thread),
            other_block=_dim(first.other_block), other_file=other_file, other_line=other_line,
            inter_block=bool(first.inter_block), **where)
    if first.kind == _UNINIT:
        return E.UninitializedRead(f"kernel '{function.name}': {thread} reads {memory} at {shown}, "
                                   f"which nothing wrote before{more}", **where)
    verb = "write" if first.write else "read"
    return E.OutOfBoundsAccess(f"kernel '{function.name}': out-of-bounds {verb} of {memory} by {thread} "
                               f"at {shown}{more}", **where)
