"""User kernels: CUDA source text that compiles, checks and launches like a registry kernel.

:func:`kernel_spec` turns source text and an entry point into a :class:`KernelSpec`
(``code`` set): ``device.compile(spec, config)`` builds it with nvcc on cuda and g++ on
emu, through the one compile cache, into the same launchable kernel as a registry variant
(arguments checked against the parameters, launches validated against the device).
The parameter signature is read from the entry's declaration unless given; the launch
geometry comes from a ``geometry(problem, config, props)`` function (default: one thread
per element of ``problem["n"]``); tunables are ``#define`` macros as in the registry.

:class:`RawKernel` is CuPy's ``RawKernel(code, name)`` on top of it::

    axpb = RawKernel(r'''extern "C" __global__ void axpb(float* z, const float* x, float a, float b,
                                                      long long n) { ... }''', "axpb")
    axpb((blocks,), (256,), (z, x, 4.0, 5.0, n))       # on device arrays

and a graph op's ``device_kernel`` may return one (see :mod:`warpbench.graph.op`).
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable

import numpy as np

from warpbench.ctype import lookup
from warpbench.errors import DTypeError, UnknownNameError, WarpbenchError
from warpbench.kernels.spec import IN, OUT, SCALAR, KernelSpec, Launch, Param, Tunable, Workload, cdiv, launch

#: Words of a parameter declaration that are not part of its C type.
_NOT_TYPE = {"__restrict__", "__restrict", "restrict", "__grid_constant__"}
_BOUNDS = r"(?:__launch_bounds__\s*\([^)]*\)\s*)?"


def parse_signature(code: str, entry: str) -> tuple[Param, ...]:
    """The parameters of the ``__global__`` function ``entry`` in ``code``: pointers to const
    are inputs, other pointers outputs, the rest scalars. UnknownNameError when ``code`` has
    no such kernel; DTypeError for a parameter whose type has no NumPy dtype (a struct, a
    pointer to pointer): give ``params`` by hand for those."""
    from warpbench.emu.source_scan import mask_code
    masked = mask_code(code)
    head = re.search(rf"\b__global__\s+{_BOUNDS}void\s+{_BOUNDS}{re.escape(entry)}\s*\(", masked)
    if head is None:
        found = re.findall(rf"\b__global__\s+{_BOUNDS}void\s+{_BOUNDS}([A-Za-z_]\w*)\s*\(", masked)
        raise UnknownNameError(f"kernel '{entry}': no __global__ void {entry}(...) in its source "
                               f"(kernels found: {', '.join(found) or 'none'})")
    declared = masked[head.end():masked.index(")", head.end())].strip()
    if declared in ("", "void"):
        return ()
    return tuple(_param(entry, index, text) for index, text in enumerate(declared.split(",")))


def _param(entry: str, index: int, text: str) -> Param:
    words = [w for w in re.findall(r"[A-Za-z_]\w*|\*", text) if w not in _NOT_TYPE]
    if len(words) < 2 or words[-1] == "*":
        raise DTypeError(f"kernel '{entry}': parameter {index} ('{text.strip()}') has no name")
    name, ctype = words[-1], " ".join(words[:-1]).replace(" *", "*")
    known = lookup(ctype.replace("*", ""))
    if ctype.count("*") > 1 or known is None or known.dtype is None:
        raise DTypeError(f"kernel '{entry}': parameter {index} ({ctype} {name}) has no NumPy dtype; "
                         f"pass params=(Param(...), ...) to describe it")
    role = SCALAR if "*" not in ctype else IN if "const" in words else OUT
    return Param(name, ctype, role)


def _refuse(entry: str, what: str) -> Callable:
    def refuse(*args, **kwargs):
        raise WarpbenchError(f"kernel '{entry}' is a user kernel: it has no {what} (registry workloads do)")
    return refuse


def _problem_of(entry: str, params: tuple[Param, ...]) -> Callable:
    def problem_of(arrays: dict, scalars: dict) -> dict:
        first = next((np.asarray(a) for a in arrays.values()), None)
        if first is None:
            raise WarpbenchError(f"kernel '{entry}': run() needs at least one input array")
        return {"n": first.size, "shape": first.shape, "dtype": first.dtype.name, **scalars}
    return problem_of


@functools.lru_cache(maxsize=None)
def user_workload(entry: str, params: tuple[Param, ...]) -> Workload:
    """The workload of a user kernel: only its parameters are known.

    A problem names its size ``n`` (or ``shape``) and, by name, the values of the scalar
    parameters; every output buffer has that shape (``kernel.run`` allocates them so).
    An empty problem launches nothing. References, inputs and cost models are refused.
    One object per signature, so that specs of the same text compare equal.
    """
    def output_shapes(problem):
        shape = tuple(problem.get("shape", (problem.get("n", 1),)))
        return {p.name: (shape, problem.get("dtype") if p.is_generic else p.dtype(problem))
                for p in params if p.role != IN and p.is_pointer}
    return Workload(
        name=entry, params=params, make_inputs=_refuse(entry, "input generator"), output_shapes=output_shapes,
        reference=_refuse(entry, "NumPy reference"), problem_of=_problem_of(entry, params),
        flops=_refuse(entry, "cost model"), bytes_moved=_refuse(entry, "cost model"), check_problems=(),
        bench_problems=(), describe=lambda p: f"n={p.get('n')}")


def one_thread_per_element(problem, config, props) -> Launch:
    """The default geometry of a user kernel: ``BLOCK`` threads per block (the tunable if it
    has one, else 256) and enough blocks for ``problem["n"]`` elements."""
    block = config.get("BLOCK", 256)
    return launch(max(1, cdiv(problem.get("n", 1), block)), block)


def kernel_spec(code: str, entry: str, *, params: tuple[Param, ...] | None = None,
                geometry: Callable[[Any, Any, Any], Launch] | None = None, tunables: tuple[Tunable, ...] = (),
                restrictions: tuple = (), defines: dict | None = None, summary: str = "") -> KernelSpec:
    """A spec for the kernel ``entry`` of the CUDA source text ``code`` (see the module docstring)."""
    params = parse_signature(code, entry) if params is None else tuple(params)
    dtypes = tuple(dict.fromkeys(p.dtype({}).name for p in params if p.is_pointer and not p.is_generic))
    return KernelSpec(name=entry, workload=user_workload(entry, params), source=f"{entry}.cu", entry=entry,
                      geometry=geometry or one_thread_per_element, tunables=tuple(tunables),
                      restrictions=tuple(restrictions), summary=summary or f"user kernel {entry}",
                      dtypes=dtypes or ("float32", "float64"), extra_defines=dict(defines or {}), code=code)


def target_device(device=None):
    """The device a user kernel runs on: ``device`` (a name or a Device), else the default
    device, as CuPy uses the current one."""
    from warpbench.runtime import get_device
    return get_device(device) if device is None or isinstance(device, str) else device


@functools.lru_cache(maxsize=None)
def _array_type(device) -> type:
    return type(device.empty((1,), np.uint8))


def check_arrays_on(device, kernel: str, arrays) -> None:
    """DTypeError when one of ``arrays`` is not an array of ``device`` (a NumPy array, or an
    array of another device, would be read at a meaningless address)."""
    kind = _array_type(device)
    for index, array in arrays:
        if not isinstance(array, kind):
            raise DTypeError(f"kernel '{kernel}': argument {index} is a {type(array).__name__}, not an array of "
                             f"the {device.kind} device (copy it there with device.to_device)")


class RawKernel:
    """CuPy's ``RawKernel``: the ``__global__`` function ``name`` of the CUDA source ``code``.

    ``kernel(grid, block, args, shared_mem=0, device=None)`` launches it on device arrays;
    scalars are converted to the declared C types (CuPy wants NumPy scalars of the right
    type; warpbench reads the declaration). Beyond CuPy: ``params``, ``geometry``,
    ``tunables``, ``restrictions`` and ``defines`` as for :func:`kernel_spec`, and
    ``spec_for(node)`` so that a graph op's ``device_kernel`` can return the kernel itself.
    """

    def __init__(self, code: str, name: str, *, params=None, geometry=None, tunables=(), restrictions=(),
                 defines=None):
        self.code, self.name = code, name
        self.spec = kernel_spec(code, name, params=params, geometry=geometry, tunables=tunables,
                                restrictions=restrictions, defines=defines)
        self._compiled: dict = {}

    def __repr__(self) -> str:
        return f"RawKernel({self.name!r})"

    def spec_for(self, node=None) -> KernelSpec:
        """The spec to compile for a graph node: the same for every node."""
        return self.spec

    def compile(self, device=None, config: dict | None = None):
        """The kernel compiled for ``device`` (default device) and ``config`` (defaults), once."""
        device = target_device(device)
        key = (device, tuple(sorted((config or {}).items())))
        if key not in self._compiled:
            self._compiled[key] = device.compile(self.spec, config)
        return self._compiled[key]

    def __call__(self, grid, block, args, *, shared_mem: int = 0, device=None) -> None:
        """Launch on ``device`` with the given grid, block and arguments (CuPy's order)."""
        kernel = self.compile(device)
        args, params = tuple(args), self.spec.workload.params
        if len(args) == len(params):  # else the launch names the signature
            check_arrays_on(kernel.device, self.name, [(i, a) for i, (p, a) in enumerate(zip(params, args))
                                                       if p.is_pointer])
        kernel(*args, grid=grid, block=block, shared=shared_mem)
