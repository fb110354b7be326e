"""Exceptions of warpbench.

Every error raised to users is a :class:`WarpbenchError` whose message is one line that
names the kernel, node or device at fault and the values that are wrong. The CLI prints
that line and exits non-zero; it never shows a traceback for these.
"""


class WarpbenchError(Exception):
    """Base class: a user-facing error with a one-line message."""


class DeviceUnavailable(WarpbenchError):
    """The requested device cannot be used here (no driver, no PyCUDA, no GPU...)."""


class UnknownNameError(WarpbenchError, LookupError):
    """An unknown kernel, device, tunable or option name."""


class ToolMissing(WarpbenchError):
    """A needed external tool (nvcc, g++) is not installed."""


class CompileError(WarpbenchError):
    """A kernel source failed to compile; the message carries file:line and the compiler's text."""


class ConfigError(WarpbenchError, ValueError):
    """A launch configuration breaks a kernel's restriction or a device limit."""


class ShapeError(WarpbenchError, ValueError):
    """An array has the wrong number of dimensions or mismatching extents."""


class DTypeError(WarpbenchError, TypeError):
    """An array or scalar has a dtype the kernel or op does not support."""


class VerificationError(WarpbenchError, AssertionError):
    """A kernel's result does not match its NumPy reference."""
