"""The command line's typed layer: every flag value is converted and checked here.

Converters run as argparse ``type=`` functions (syntax: ``NAME=VALUE`` lists, integers,
devices, paths, ``.npy`` files); the checks that need the selected kernels or device run
right after parsing (tunables, problem fields and sizes, scalars). Either way a bad value
is a one-line :class:`UsageError` naming the flag and the value, never a traceback.
"""
from __future__ import annotations

import argparse
import functools
import importlib
import math
import os
from pathlib import Path
from typing import Callable

import numpy as np

from warpbench.errors import WarpbenchError

#: Every WARPBENCH_* setting read after start-up (and NVTX_DISABLE), with the function that
#: reads (and checks) it and that function's arguments. The CLI calls the readers of the settings that are set before doing any work, so a
#: bad value stops the command with one line instead of failing each kernel in a table.
#: WARPBENCH_DEBUG is read when warpbench.config is imported and falls back with a warning.
SETTINGS = {
    "WARPBENCH_EMU_WATCHDOG": ("warpbench.emu.function", "default_watchdog"),
    "WARPBENCH_EMU_TIME_LIMIT": ("warpbench.emu.function", "default_time_limit"),
    "WARPBENCH_EMU_NO_TOOLKIT": ("warpbench.emu.toolchain", "toolkit_include"),
    "WARPBENCH_EMU_STACK_KIB": ("warpbench.emu.stacks", "stack_pool"),
    "WARPBENCH_CACHE_MAX_MB": ("warpbench.cache_limit", "max_bytes"),
    "WARPBENCH_FLOATX": ("warpbench.config", "env_choice", "WARPBENCH_FLOATX", "float32", ("float32", "float64")),
    "NVTX_DISABLE": ("warpbench.config", "env_flag", "NVTX_DISABLE"),
}

_TRUE, _FALSE = ("true", "yes", "on"), ("false", "no", "off")


class UsageError(WarpbenchError):
    """A bad command-line value or an unknown name; the message names the flag and the value."""


class Parser(argparse.ArgumentParser):
    """argparse whose errors (unknown flags, bad values) are one-line UsageErrors, exit status 2,
    instead of a usage block followed by ``sys.exit``."""

    def error(self, message):
        """Raise the error instead of printing the usage and exiting."""
        raise UsageError(message)


def flag_error(flag: str, exc: Exception | str) -> UsageError:
    """A UsageError in argparse's words: ``argument --config: <what is wrong>``."""
    return UsageError(f"argument {flag}: {exc}")


def check_settings() -> None:
    """Read every WARPBENCH_* setting that is set; ConfigError naming the first bad one."""
    for name, (module, reader, *arguments) in SETTINGS.items():
        if os.environ.get(name, "").strip():
            getattr(importlib.import_module(module), reader)(*arguments)


# -- values ------------------------------------------------------------------------------


def converter(convert: Callable[[str], object]) -> Callable[[str], object]:
    """``convert`` as an argparse type whose warpbench errors keep their message: argparse
    turns any ValueError, ConfigError included, into a bare "invalid value"."""
    @functools.wraps(convert)
    def checked(text: str):
        try:
            return convert(text)
        except WarpbenchError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return checked


@converter
def integer(text: str) -> int:
    """A decimal integer; ArgumentTypeError for ``16.5``, ``abc`` or ``1e3``."""
    try:
        return int(text.strip(), 10)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer") from None


def integer_at_least(least: int) -> Callable[[str], int]:
    """A converter of an integer of at least ``least``."""
    @converter
    def convert(text: str) -> int:
        """An integer, checked against the least value."""
        value = integer(text)
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        return value
    return convert


positive_integer = integer_at_least(1)


@converter
def positive_number(text: str) -> float:
    """A finite number above 0 (a learning rate)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text}")
    return value


@converter
def literal(text: str) -> int | float | bool | str:
    """An integer, a number, true/false (yes/no, on/off) or, failing those, the text itself."""
    text = text.strip()
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            continue
    if text.lower() in _TRUE + _FALSE:
        return text.lower() in _TRUE
    return text


def assignments(value: Callable[[str], object]) -> Callable[[str], dict]:
    """A converter of ``"A=1,B=2"`` into ``{"A": value("1"), "B": value("2")}``."""
    @converter
    def convert(text: str) -> dict:
        """``NAME=VALUE[,NAME=VALUE...]`` as a dict; each name once, each value converted."""
        result = {}
        for item in text.split(","):
            name, sep, raw = (part.strip() for part in item.partition("="))
            if not sep or not name.isidentifier() or not raw:
                raise argparse.ArgumentTypeError(f"{item.strip()!r} is not NAME=VALUE (lists: NAME=VALUE,NAME=VALUE)")
            if name in result:
                raise argparse.ArgumentTypeError(f"{name} is given twice in {text!r}")
            try:
                result[name] = value(raw)
            except argparse.ArgumentTypeError as exc:
                raise argparse.ArgumentTypeError(f"{name}={raw}: {exc}") from None
        return result
    return convert


config_values = assignments(integer)
literal_values = assignments(literal)


@converter
def device_kind(text: str) -> str:
    """A device name; the device itself is created later, by the sub-command."""
    from warpbench.runtime import DEVICE_KINDS
    if text not in DEVICE_KINDS:
        raise argparse.ArgumentTypeError(f"unknown device {text!r} (devices: {', '.join(DEVICE_KINDS)})")
    return text


# -- paths -------------------------------------------------------------------------------


@converter
def npy_array(text: str) -> np.ndarray:
    """The array in a ``.npy`` file; one line saying why when the file is missing or not one."""
    path = Path(text)
    try:
        with path.open("rb") as f:
            magic = f.read(6)
            if magic != b"\x93NUMPY":
                what = "a .npz archive" if magic.startswith(b"PK") else "not a .npy file (no NumPy header)"
                raise argparse.ArgumentTypeError(f"{text} is {what}; save one array with numpy.save")
            f.seek(0)
            return np.load(f, allow_pickle=False)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {exc.strerror or exc}") from None
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise argparse.ArgumentTypeError(f"{text} holds Python objects (dtype object), not numbers") from None
        raise argparse.ArgumentTypeError(f"{text} is a damaged .npy file ({exc})") from None


def _writable_folder(folder: Path, text: str) -> None:
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text}: {folder} is not a directory")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot write {text}: no write permission in {folder}")


def _output_file(text: str, suffix: str) -> Path:
    """A ``suffix`` path whose directory exists and is writable."""
    path = Path(text)
    if path.suffix != suffix:
        raise argparse.ArgumentTypeError(f"{text} does not end in {suffix}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a directory")
    parent = path.parent
    if not parent.exists():
        raise argparse.ArgumentTypeError(f"cannot write {text}: directory {parent} does not exist")
    _writable_folder(parent, text)
    return path


@converter
def npy_output(text: str) -> Path:
    """A ``.npy`` path whose directory exists and is writable."""
    return _output_file(text, ".npy")


@converter
def npz_output(text: str) -> Path:
    """A ``.npz`` path (saved parameters) whose directory exists and is writable."""
    return _output_file(text, ".npz")


@converter
def svg_output(text: str) -> Path:
    """A ``.svg`` path (a chart) whose directory exists and is writable."""
    return _output_file(text, ".svg")


@converter
def report_folder(text: str) -> Path:
    """A folder that exists or can be created (its nearest existing ancestor is writable)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} exists and is not a directory")
    existing = path
    while not existing.exists():
        existing = existing.parent
    _writable_folder(existing, text)
    return path


# -- checks against the registry and the device -----------------------------------------


def resolve_config(specs, config: dict) -> None:
    """Check ``--config`` against every selected variant with the variant's own check."""
    for spec in specs:
        try:
            spec.resolve(config)
        except WarpbenchError as exc:
            raise flag_error("--config", exc) from None


def assignment_text(values: dict) -> str:
    """``{"A": 1, "B": 2}`` as the user wrote it: ``A=1,B=2``."""
    return ",".join(f"{k}={v}" for k, v in values.items())


def _field_kinds(workload) -> dict[str, tuple[type, int | None, tuple]]:
    """Per problem field: its Python type, the least value it takes (numbers) and its values."""
    seen: dict[str, list] = {}
    for problem in workload.check_problems + workload.bench_problems:
        for key, value in problem.items():
            seen.setdefault(key, []).append(value)
    kinds = {}
    for key, values in seen.items():
        kind = type(values[0]) if all(type(v) is type(values[0]) for v in values) else object
        # A field that is never 0 is a size: it must stay positive.
        least = (1 if min(values) > 0 else 0) if kind is int else None
        kinds[key] = (kind, least, tuple(dict.fromkeys(values)))
    return kinds


def _problem_value(name: str, value, kind: type, least: int | None, known: tuple):
    """``value`` as the field's type; an error message (str) when it does not fit."""
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{name} takes an integer"
        if value < least:
            return f"{name} is a size and takes a positive integer" if least else f"{name} takes an integer >= 0"
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return f"{name} takes a finite number"
        return float(value)
    if kind is bool:
        return bool(value) if value in (0, 1) else f"{name} takes true or false"
    if kind is str:
        return value if value in known else f"{name} takes one of {', '.join(map(str, known))}"
    return f"{name} cannot be set from the command line"


def check_problem_fields(workloads, overrides: dict) -> None:
    """UsageError for a ``--problem`` field that none of the selected workloads has."""
    fields = sorted({name for workload in workloads for name in _field_kinds(workload)})
    for name, value in overrides.items():
        if name not in fields:
            owners = ", ".join(dict.fromkeys(w.name for w in workloads))
            raise flag_error("--problem", f"{name}={value}: no problem field {name!r} in {owners} "
                                          f"(fields: {', '.join(fields)})")


def with_overrides(device, workload, problem: dict, overrides: dict) -> dict:
    """``problem`` with the ``--problem`` fields this workload has (see check_problem_fields for
    the others), their types and sizes checked, and its buffers checked to fit the memory."""
    kinds = _field_kinds(workload)
    mine = {name: value for name, value in overrides.items() if name in kinds}
    merged = dict(problem)
    for name, value in mine.items():
        checked = _problem_value(name, value, *kinds[name])
        if isinstance(checked, str):
            raise flag_error("--problem", f"{name}={value}: {workload.name}: {checked}")
        merged[name] = checked
    if mine:
        check_fits(device, workload, merged, "--problem", assignment_text(mine))
    return merged


class _Reads(dict):
    """Scalars that remember which names were looked up."""

    def __init__(self, values: dict):
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        """``dict.get``, remembering ``key``."""
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


def problem_from_arrays(workload, inputs: dict, scalars: dict) -> dict:
    """The problem of user arrays and ``--scalars``; UsageError for scalars the workload never reads.

    Workloads do not declare their scalars (conv2d reads ``stride``, which is no kernel
    parameter), so the known ones are those its ``problem_of`` looks up.
    """
    given = _Reads(scalars)
    problem = workload.problem_of(inputs, given)
    unknown = [name for name in scalars if name not in given.read]
    if unknown:
        known = ", ".join(sorted(given.read)) or "none"
        shown = assignment_text({k: scalars[k] for k in unknown})
        raise flag_error("--scalars", f"{shown}: {workload.name} has no scalar {', '.join(map(repr, unknown))} "
                                      f"(scalars: {known})")
    return problem


def host_memory() -> int:
    """Bytes of physical memory of this machine."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _size(nbytes: float) -> str:
    """``nbytes`` in binary units, e.g. ``727.6 TiB``."""
    exponent = min(int(math.log(max(nbytes, 1), 1024)), 5)
    return f"{nbytes / 1024 ** exponent:.1f} {('B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB')[exponent]}"


def buffer_bytes(workload, problem: dict) -> float:
    """Bytes of the problem's buffers: the outputs, and at least the traffic of the workload's
    cost model (which reads or writes every buffer once)."""
    outputs = sum(math.prod(shape) * np.dtype(dtype).itemsize
                  for shape, dtype in workload.output_shapes(problem).values())
    return max(float(outputs), float(workload.bytes_moved(problem)))


def check_fits(device, workload, problem: dict, flag: str, given: str) -> None:
    """UsageError naming ``flag`` and the values ``given`` there when the problem's buffers
    exceed host memory (inputs are always built on the host) or the device's own memory
    when its properties report it (``total_memory``)."""
    for shape, _ in workload.output_shapes(problem).values():
        if any(extent < 0 for extent in shape):
            raise flag_error(flag, f"{given}: {workload.name} would make an output of shape {tuple(shape)}")
    needed = buffer_bytes(workload, problem)
    limits = [("the host's", host_memory())]
    device_total = getattr(device.properties, "total_memory", None)
    if device_total:
        limits.append((f"{device.properties.name}'s", device_total))
    for owner, total in limits:
        if needed > total:
            raise flag_error(flag, f"{given}: {workload.name} at {workload.describe(problem)} needs about "
                                   f"{_size(needed)} of buffers, more than {owner} {_size(total)} of memory")
