"""``warpbench launch``: run one kernel on arrays from .npy files and compare with NumPy."""
from __future__ import annotations

import numpy as np

from warpbench.check import compare
from warpbench.cli import parse_assignments
from warpbench.errors import ShapeError


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("launch", help="run one kernel on .npy inputs, save the output, compare with NumPy")
    p.add_argument("kernel", help="variant name, e.g. transpose_padded")
    p.add_argument("inputs", nargs="*", help=".npy files, one per input array in parameter order")
    p.add_argument("--scalars", help="scalar parameters, e.g. a=4,b=5")
    p.add_argument("--config", help="tunables, e.g. TILE_DIM=16,BLOCK_ROWS=4")
    p.add_argument("--device", help="cuda or emu (default: cuda if usable, else emu)")
    p.add_argument("--out", help="save the (first) output to this .npy file")
    p.set_defaults(handler=handle)


def load(path: str) -> np.ndarray:
    """An array from a .npy file; ShapeError when the file cannot be read as one."""
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ShapeError(f"cannot read {path} as a .npy array: {exc}") from None


def handle(args) -> int:
    """Launch, save, and print the maximum error against the NumPy reference."""
    from warpbench.kernels import get
    from warpbench.runtime import get_device
    spec = get(args.kernel)
    workload = spec.workload
    arrays = [load(p) for p in args.inputs]
    if len(arrays) != len(workload.input_names):
        raise ShapeError(f"{spec.name}: expects {len(workload.input_names)} input file(s) "
                         f"({', '.join(workload.input_names)}), got {len(arrays)}")
    scalars = parse_assignments(args.scalars, "scalar")
    inputs = dict(zip(workload.input_names, arrays))
    problem = workload.problem_of(inputs, scalars)
    spec.check_dtype(problem.get("dtype", spec.dtypes[0]))
    kernel = get_device(args.device).compile(spec, parse_assignments(args.config, "config"))
    result = kernel.run(*arrays, **scalars)
    outputs = result if isinstance(result, tuple) else (result,)
    expected = workload.reference(problem, inputs)
    rtol, atol = workload.tolerance(problem)
    ok = True
    for name, got in zip(workload.output_names, outputs):
        cmp = compare(name, expected[name], got, rtol, atol)
        ok &= cmp.ok
        print(f"{spec.name}: {name} {got.shape} {got.dtype}, max abs err {cmp.max_abs_err:.2e}"
              f"{'' if cmp.ok else ' — ' + cmp.message}")
    if args.out:
        np.save(args.out, outputs[0])
    return 0 if ok else 1
