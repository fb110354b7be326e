"""``warpbench launch``: run one kernel on arrays from .npy files and compare with NumPy."""
from __future__ import annotations

import numpy as np

from warpbench.check import compare
from warpbench.cli.args import (assignment_text, check_fits, config_values, device_kind, flag_error, literal_values,
                                npy_array, npy_output, problem_from_arrays, resolve_config)
from warpbench.errors import ShapeError


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("launch", help="run one kernel on .npy inputs, save the output, compare with NumPy")
    p.add_argument("kernel", help="variant name, e.g. transpose_padded")
    p.add_argument("inputs", nargs="*", type=npy_array, help=".npy files, one per input array in parameter order")
    p.add_argument("--scalars", type=literal_values, default={}, help="scalar parameters, e.g. a=4,b=5")
    p.add_argument("--config", type=config_values, default={}, help="tunables, e.g. TILE_DIM=16,BLOCK_ROWS=4")
    p.add_argument("--device", type=device_kind, help="cuda or emu (default: cuda if usable, else emu)")
    p.add_argument("--out", type=npy_output, help="save the (first) output to this .npy file")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    """Launch, save, and print the maximum error against the NumPy reference."""
    from warpbench.kernels import get
    from warpbench.runtime import get_device
    spec = get(args.kernel)
    workload = spec.workload
    arrays, scalars = args.inputs, args.scalars
    if len(arrays) != len(workload.input_names):
        raise ShapeError(f"{spec.name}: expects {len(workload.input_names)} input file(s) "
                         f"({', '.join(workload.input_names)}), got {len(arrays)}")
    inputs = dict(zip(workload.input_names, arrays))
    problem = problem_from_arrays(workload, inputs, scalars)
    spec.check_dtype(problem.get("dtype", spec.dtypes[0]))
    resolve_config([spec], args.config)
    device = get_device(args.device)
    if scalars:
        check_fits(device, workload, problem, "--scalars", assignment_text(scalars))
    kernel = device.compile(spec, args.config)
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
        try:
            np.save(args.out, outputs[0])
        except OSError as exc:
            raise flag_error("--out", f"cannot write {args.out}: {exc.strerror or exc}") from None
    return 0 if ok else 1
