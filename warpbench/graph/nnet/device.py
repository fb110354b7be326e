"""How the nnet ops run on a kernel device: which registry kernel computes a node, and its launch.

Each launcher takes device arrays, allocates the output on the kernel's device and launches
the kernel on the problem the op describes; buffers are named after the workload's
parameters. Shapes are checked here as well as in ``infer_shape``, because the fast path of
a compiled function does not call ``infer_shape`` on every call.
"""
from __future__ import annotations

import math

import numpy as np

from warpbench.ctype import value_dtype
from warpbench.errors import ShapeError

from warpbench.kernels.specs.conv2d_grad import flip_problem
from warpbench.kernels.specs.pool import pool_problem
from warpbench.kernels.specs.softmax_grad import check_labels

SUFFIX = {"float32": "", "float64": "_f64"}
#: The library's pooling kernels: square windows, one stride, no padding.
SQUARE_POOL = {"max": "maxpool2d", "average_exc_pad": "avgpool2d"}


def by_dtype(family: str, node) -> str | None:
    """``family`` for a float32 node, ``family_f64`` for a float64 one, None otherwise."""
    suffix = SUFFIX.get(node.outputs[0].dtype)
    return None if suffix is None else family + suffix


def _empty_output(kernel, shape, dtype):
    return kernel.device.empty(tuple(int(d) for d in shape), dtype)


def _launch(kernel, problem: dict, inputs: list, shape=None) -> object:
    """Launch ``kernel`` with ``inputs`` as its workload's input buffers, in order; return the
    output, allocated with the workload's shape or ``shape`` (the same elements, other axes)."""
    workload = kernel.workload
    buffers = dict(zip(workload.input_names, inputs))
    (name,) = workload.output_names
    natural, dtype = workload.output_shapes(problem)[name]
    buffers[name] = _empty_output(kernel, natural if shape is None else shape, dtype)
    kernel.launch_problem(problem, buffers)
    return buffers[name]


def launch_conv2d(op, kernel, x, w):
    """Forward conv2d with the library's conv2d kernel (no epilogue; ``b`` is never read)."""
    problem = op.problem(x.shape, w.shape, x.dtype)
    return _launch(kernel, problem, [x, w, w])


def launch_conv2d_grad(op, kernel, which: str, operand, g, model):
    """dx (``which`` "dx": operand w, model x) or dw ("dw": operand x, model w) of conv2d."""
    from warpbench.graph.nnet.conv import check_grad_shape
    x_shape, w_shape = (model.shape, operand.shape) if which == "dx" else (operand.shape, model.shape)
    problem = op.problem(x_shape, w_shape, g.dtype)
    check_grad_shape(problem, g.shape)
    return _launch(kernel, problem, [g, operand])


def launch_flip(kernel, w):
    """The filters ``w`` (K, C, R, S) rotated by 180 degrees."""
    return _launch(kernel, flip_problem(w.shape, w.dtype), [w])


def pool_kernel(op, node) -> str | None:
    """The library's square pooling kernel where the window fits it, else the pool_window one."""
    square = op.ws[0] == op.ws[1] and op.stride[0] == op.stride[1] and op.pad == (0, 0)
    if square and op.ignore_border:
        return by_dtype(SQUARE_POOL[op.mode], node)
    return by_dtype(SQUARE_POOL[op.mode] + "_window", node)


def launch_pool(op, kernel, x):
    """pool_2d's forward with the kernel :func:`pool_kernel` chose."""
    problem = op.problem(x.shape, x.dtype)
    if not kernel.workload.name.endswith("_window"):
        problem = pool_problem(*x.shape, op.ws[0], op.stride[0], problem["dtype"])
    return _launch(kernel, problem, [x])


def launch_pool_grad(op, kernel, x, g):
    """dx of pool_2d: the max gradient reads x, the average's only g."""
    problem = op.problem(x.shape, g.dtype)
    if tuple(g.shape) != (problem["N"], problem["C"], problem["P"], problem["Q"]):
        raise ShapeError(f"output gradient is {g.shape}, the pooled output is {op.out_shape(x.shape)}")
    return _launch(kernel, problem, [x, g] if op.mode == "max" else [g])


def launch_rows(kernel, inputs):
    """A row kernel (softmax and its gradients) over the last axis of same-shaped inputs."""
    shape = inputs[0].shape
    problem = {"rows": math.prod(shape[:-1]), "cols": shape[-1], "dtype": np.dtype(inputs[0].dtype).name}
    return _launch(kernel, problem, inputs, shape)


def launch_labelled(kernel, arrays: list, labels):
    """A kernel reading ``arrays`` (the last a rows x cols matrix) then integer ``labels``: the
    labels are checked on the host first (they are few) and sent in the integer type the
    kernel reads."""
    device, matrix = kernel.device, arrays[-1]
    host_labels = device.to_host(labels)
    check_labels(kernel.workload.name, host_labels, *matrix.shape)
    (param,) = [p for p in kernel.workload.params if p.name == "labels"]
    wanted = value_dtype(param.base_type)
    if host_labels.dtype != wanted:
        labels = device.to_device(host_labels.astype(wanted))
    problem = {"rows": matrix.shape[0], "cols": matrix.shape[1], "dtype": np.dtype(matrix.dtype).name}
    return _launch(kernel, problem, [*arrays, labels])


def copy_kernel(node) -> str | None:
    """The registry's copy kernel for a float32 node (a reshape on the device is a copy)."""
    return "copy" if node.outputs[0].dtype == "float32" else None


def launch_copy(kernel, x, shape):
    """A copy of device array ``x`` with ``shape`` (same number of elements)."""
    out = _empty_output(kernel, shape, x.dtype)
    kernel.launch_problem({"n": math.prod(x.shape), "dtype": "float32"}, {"in": x, "out": out})
    return out
