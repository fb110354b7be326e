"""Batch normalization with Theano's three entry points.

- ``batch_normalization(inputs, gamma, beta, mean, std)``: the normalization itself,
  elementwise with broadcasting (so it fuses and runs on a kernel device);
- ``batch_normalization_train(inputs, gamma, beta, axes, epsilon, running_average_factor,
  running_mean, running_var)``: statistics of the batch (``BatchNormTrain``; on a kernel
  device its sums and its gradient's run the axis-reduce kernel, batchnorm_device.py), and the
  new running statistics to pass as ``updates`` for shared ``running_mean``/``running_var``;
- ``batch_normalization_test(inputs, gamma, beta, mean, var, axes, epsilon)``: inference
  with stored statistics.

As in Theano, gamma, beta and the statistics have the input's ndim with extent 1 on the
normalized axes (``axes="spatial"``: (1, C, 1, 1) for NCHW; "per-activation": (1, ...)).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError, WarpbenchError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.elemwise import Elemwise
from warpbench.graph.op import Op
from warpbench.graph.type import FLOAT_DTYPES, shape_str


def statistics_kernel(axes: tuple[int, ...], node: Apply):
    """The axis-reduce sum over ``axes`` of ``node``'s first input, for float dtypes."""
    x = node.inputs[0]
    if x.dtype not in FLOAT_DTYPES:
        return None
    from warpbench.kernels.axis_reduce import spec_for
    return spec_for("sum", x.dtype, x.ndim, axes)


def normalized_axes(axes, ndim: int) -> tuple[int, ...]:
    """Theano's ``axes`` argument as a tuple of axis numbers."""
    if axes == "per-activation":
        return (0,)
    if axes == "spatial":
        return (0,) + tuple(range(2, ndim))
    picked = tuple(sorted(int(a) for a in axes))
    if not picked or any(a < 0 or a >= ndim for a in picked) or len(set(picked)) != len(picked):
        raise ShapeError(f"batch_normalization: axes {axes!r} out of range for a {ndim}-D input")
    return picked


class StdFromVar(Elemwise):
    """sqrt(var + epsilon): the standard deviation batch_normalization_test divides by."""

    __props__ = ("epsilon",)
    nin = 1

    def __init__(self, epsilon: float):
        self.epsilon = float(epsilon)

    def impl(self, var):
        return np.sqrt(var + np.asarray(self.epsilon, var.dtype))

    def grad(self, inputs, output_grads):
        return [output_grads[0] * 0.5 / self(inputs[0])]

    def c_expression(self, operands, ctype):
        root = "sqrtf" if ctype == "float" else "sqrt"
        return f"{root}({operands[0]} + ({ctype}){self.epsilon!r})"


class BatchNormTrain(Op):
    """(x, gamma, beta) -> (out, mean, invstd, unbiased var) over ``axes`` of x's batch."""

    __props__ = ("axes", "epsilon")

    def __init__(self, axes: tuple[int, ...], epsilon: float):
        self.axes, self.epsilon = tuple(axes), float(epsilon)

    def make_node(self, x, gamma, beta):
        x = as_variable(x)
        gamma, beta = as_variable(gamma, like=x), as_variable(beta, like=x)
        for name, var in (("gamma", gamma), ("beta", beta)):
            if var.ndim != x.ndim:
                raise ShapeError(f"{self}: {name} must have the input's {x.ndim} axes (extent 1 on {self.axes}), "
                                 f"got {var} of type {var.type}")
        return Apply(self, [x, gamma, beta], [x.type() for _ in range(4)])

    def stats_shape(self, x_shape) -> tuple:
        """x's shape with extent 1 on the normalized axes."""
        return tuple(1 if i in self.axes else n for i, n in enumerate(x_shape))

    def perform(self, node, inputs, output_storage):
        x, gamma, beta = inputs
        mean = x.mean(axis=self.axes, keepdims=True)
        var = x.var(axis=self.axes, keepdims=True)
        invstd = 1 / np.sqrt(var + self.epsilon)
        count = x.size // mean.size
        outputs = ((x - mean) * invstd * gamma + beta, mean, invstd, var * count / max(count - 1, 1))
        for cell, value in zip(output_storage, outputs):
            cell[0] = np.asarray(value, x.dtype)

    def infer_shape(self, node, input_shapes):
        x, gamma, beta = input_shapes
        stats = self.stats_shape(x)
        for name, shape in (("gamma", gamma), ("beta", beta)):
            if tuple(shape) != stats:
                raise ShapeError(f"{name} is {shape_str(shape)}, the statistics over axes {self.axes} of a "
                                 f"{shape_str(x)} input are {shape_str(stats)}")
        return [tuple(x), stats, stats, stats]

    def device_kernel(self, node):
        return statistics_kernel(self.axes, node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.batchnorm_device import train
        for cell, value in zip(output_storage, train(kernel, self.axes, self.epsilon, *inputs)):
            cell[0] = value

    def grad(self, inputs, output_grads):
        if any(g is not None for g in output_grads[1:]):
            raise WarpbenchError(f"grad: {self} differentiates its output only, not the batch statistics")
        x, gamma, _ = inputs
        _, mean, invstd, _ = self(*inputs)
        return BatchNormTrainGrad(self.axes)(x, output_grads[0], gamma, mean, invstd)


class BatchNormTrainGrad(Op):
    """(x, dy, gamma, mean, invstd) -> (dx, dgamma, dbeta) of BatchNormTrain's first output."""

    __props__ = ("axes",)

    def __init__(self, axes: tuple[int, ...]):
        self.axes = tuple(axes)

    def make_node(self, x, dy, gamma, mean, invstd):
        inputs = [as_variable(v) for v in (x, dy, gamma, mean, invstd)]
        return Apply(self, inputs, [inputs[0].type(), inputs[2].type(), inputs[2].type()])

    def perform(self, node, inputs, output_storage):
        x, dy, gamma, mean, invstd = inputs
        xhat = (x - mean) * invstd
        dbeta = dy.sum(axis=self.axes, keepdims=True)
        dgamma = (dy * xhat).sum(axis=self.axes, keepdims=True)
        count = x.size // mean.size
        dx = gamma * invstd * (dy - dbeta / count - xhat * dgamma / count)
        for cell, value in zip(output_storage, (dx, dgamma, dbeta)):
            cell[0] = np.asarray(value, x.dtype)

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[0]), tuple(input_shapes[2]), tuple(input_shapes[2])]

    def device_kernel(self, node):
        return statistics_kernel(self.axes, node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.batchnorm_device import train_grad
        for cell, value in zip(output_storage, train_grad(kernel, self.axes, *inputs)):
            cell[0] = value


def batch_normalization(inputs, gamma, beta, mean, std, mode="low_mem"):
    """Theano's ``batch_normalization``: ``(inputs - mean) * (gamma / std) + beta``, broadcasting.
    ``mode`` is accepted for Theano's signature; both modes compute the same."""
    if mode not in ("low_mem", "high_mem"):
        raise WarpbenchError(f"batch_normalization: mode must be 'low_mem' or 'high_mem', got {mode!r}")
    inputs = as_variable(inputs)
    return (inputs - mean) * (gamma / std) + beta


def batch_normalization_train(inputs, gamma, beta, axes="per-activation", epsilon=1e-4,
                              running_average_factor=0.1, running_mean=None, running_var=None):
    """Theano's ``batch_normalization_train``: normalize with the batch's statistics.

    Returns (out, mean, invstd), plus (new_running_mean, new_running_var) when
    ``running_mean`` and ``running_var`` (shared variables, say) are given: pass
    ``updates=[(running_mean, new_mean), (running_var, new_var)]`` to ``function``. The
    running variance is updated with the unbiased batch variance, as in Theano.
    """
    inputs = as_variable(inputs)
    op = BatchNormTrain(normalized_axes(axes, inputs.ndim), epsilon)
    out, mean, invstd, var = op(inputs, gamma, beta)
    if (running_mean is None) != (running_var is None):
        raise WarpbenchError("batch_normalization_train: give both running_mean and running_var, or neither")
    if running_mean is None:
        return out, mean, invstd
    keep = 1.0 - running_average_factor
    new_mean = running_mean * keep + mean * running_average_factor
    new_var = running_var * keep + var * running_average_factor
    return out, mean, invstd, new_mean, new_var


def batch_normalization_test(inputs, gamma, beta, mean, var, axes="per-activation", epsilon=1e-4):
    """Theano's ``batch_normalization_test``: normalize with stored statistics (inference)."""
    inputs = as_variable(inputs)
    normalized_axes(axes, inputs.ndim)  # the same argument check as in training
    return batch_normalization(inputs, gamma, beta, mean, StdFromVar(epsilon)(var))
