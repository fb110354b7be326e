"""PyCUDA's ``ElementwiseKernel``: a loop body in CUDA C over ``i``, compiled for the emulator.

::

    from warpbench.emu.elementwise import ElementwiseKernel
    lin_comb = ElementwiseKernel("float a, float *x, float b, float *y, float *z",
                                 "z[i] = a*x[i] + b*y[i]", "linear_combination")
    lin_comb(5, x_gpu, 6, y_gpu, z_gpu)

As in PyCUDA: the arguments are a C parameter list; the operation sees ``i`` (the element
index) and ``n`` (the element count, taken from the first array argument); Python numbers
for by-value parameters are converted to the declared type; ``range=slice(...)`` or
``slice=`` restricts the indices. ``preamble`` is code put before the kernel,
``loop_prep``/``after_loop`` statements before and after the loop. The kernel is a
grid-stride loop compiled once per (arguments, operation, name, preamble) in a process;
``keep`` and ``options`` are accepted and ignored.
"""
from __future__ import annotations

import numpy as np

from warpbench.ctype import strip_qualifiers, value_dtype
from warpbench.errors import DTypeError, ShapeError
from warpbench.emu.driver import SourceModule
from warpbench.emu.memory import DeviceArray

#: Threads per block and most blocks of a generated grid-stride kernel.
BLOCK, MAX_BLOCKS = 128, 32

_EVERYTHING = slice(None)
_modules: dict[str, object] = {}


def compiled(source: str):
    """The SourceModule of ``source`` (no extern "C" wrapping), compiled once per process."""
    if source not in _modules:
        _modules[source] = SourceModule(source, no_extern_c=True)
    return _modules[source]


def parse_arguments(arguments: str) -> list[tuple[str, str]]:
    """``"float a, float *x"`` -> ``[("float", "a"), ("float*", "x")]``."""
    result = []
    for piece in (p.strip() for p in arguments.split(",")):
        if not piece:
            continue
        words = piece.replace("*", " * ").split()
        if len(words) < 2:
            raise DTypeError(f"ElementwiseKernel argument {piece!r} needs a type and a name")
        result.append((strip_qualifiers(" ".join(words[:-1])), words[-1]))
    return result


def grid_for(n: int) -> tuple[int, int]:
    """Blocks of a grid-stride launch over ``n`` elements."""
    return (max(1, min(MAX_BLOCKS, -(-n // BLOCK))), 1)


class ElementwiseKernel:
    """A CUDA C operation applied at every index ``i`` of the first array argument."""

    def __init__(self, arguments: str, operation: str, name: str = "kernel", keep: bool = False,
                 options=None, preamble: str = "", loop_prep: str = "", after_loop: str = ""):
        self.name, self.arguments = name, parse_arguments(arguments)
        if not any(ctype.endswith("*") for ctype, _ in self.arguments):
            raise DTypeError(f"ElementwiseKernel '{name}': needs at least one pointer argument to size the loop")
        self.source = (f"{preamble}\n"
                       f'extern "C" __global__ void {name}({arguments}, long long n, long long wb_start, '
                       f"long long wb_stop, long long wb_step) {{\n"
                       f"    {loop_prep};\n"
                       f"    for (long long i = wb_start + (blockIdx.x * (long long)blockDim.x + threadIdx.x)"
                       f" * wb_step;"
                       f" i < wb_stop; i += (long long)blockDim.x * gridDim.x * wb_step) {{\n"
                       f"        {operation};\n    }}\n    {after_loop};\n}}\n")

    def convert(self, args) -> tuple[list, int]:
        """The launch arguments (Python numbers as the declared C types) and the element
        count, the size of the first array argument."""
        if len(args) != len(self.arguments):
            raise DTypeError(f"ElementwiseKernel '{self.name}' takes {len(self.arguments)} arguments "
                             f"({', '.join(n for _, n in self.arguments)}), got {len(args)}")
        converted, size = [], None
        for (ctype, name), arg in zip(self.arguments, args):
            if ctype.endswith("*"):
                if size is None:
                    if not isinstance(arg, DeviceArray):
                        raise DTypeError(f"ElementwiseKernel '{self.name}': argument '{name}' sizes the loop "
                                         f"and must be a device array, not {type(arg).__name__}")
                    size = arg.size
                converted.append(arg)
            elif isinstance(arg, (bool, int, float, complex, np.generic)):
                converted.append(value_dtype(ctype).type(arg))
            else:
                converted.append(arg)
        return converted, size

    def __call__(self, *args, range: slice | None = None, slice: slice | None = None,  # noqa: A002
                 stream=None, **launch) -> None:
        """Run the operation over every element (or the indices of ``range``/``slice``)."""
        converted, size = self.convert(args)
        start, stop, step = (range or slice or _EVERYTHING).indices(size)
        if step <= 0:
            raise ShapeError(f"ElementwiseKernel '{self.name}': range step must be positive, got {step}")
        count = max(0, -(-(stop - start) // step))
        if count == 0:
            return
        function = compiled(self.source).get_function(self.name)
        function(*converted, np.int64(size), np.int64(start), np.int64(stop), np.int64(step), block=(BLOCK, 1, 1),
                 grid=grid_for(count), **launch)

