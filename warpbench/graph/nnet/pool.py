"""``pool_2d`` (Theano's signature) over the last two axes of an NCHW tensor, and its gradients.

Output extent per axis: ``(H + 2*pad - ws) // stride + 1`` with ``ignore_border=True``;
with ``ignore_border=False`` a last, partial window covers the rest of the plane (no padding
then, as in Theano). Padding never counts: a max ignores it and "average_exc_pad" divides
by the number of input elements under the window. The max gradient goes to the first
maximum of each window (row-major), as the kernels do.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op
from warpbench.graph.type import FLOAT_DTYPES, shape_str
from warpbench.kernels.specs.common import int_pair
from warpbench.kernels.specs.pool_window import avg_grad_reference, max_grad_reference, pool_reference, window_problem

MODES = ("max", "average_exc_pad")


class PoolBase(Op):
    """What pooling and its gradients share: parameters and output geometry."""

    __props__ = ("ws", "ignore_border", "stride", "pad", "mode")

    def __init__(self, ws, ignore_border=True, stride=None, pad=(0, 0), mode="max"):
        self.ws = int_pair("pool_2d", "ws", ws, 1)
        self.stride = self.ws if stride is None else int_pair("pool_2d", "stride", stride, 1)
        self.pad = int_pair("pool_2d", "pad", pad, 0)
        self.ignore_border = bool(ignore_border)
        if mode not in MODES:
            raise ShapeError(f"pool_2d: mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        if self.pad != (0, 0) and not self.ignore_border:
            raise ShapeError(f"pool_2d: padding {self.pad} needs ignore_border=True (as in Theano)")
        if any(p >= w for p, w in zip(self.pad, self.ws)):
            raise ShapeError(f"pool_2d: padding {self.pad} must be smaller than the window {self.ws}")

    def problem(self, x_shape, dtype) -> dict:
        """The pool_window kernels' problem for an input of ``x_shape``; ShapeError when the
        window does not fit."""
        if len(x_shape) != 4:
            raise ShapeError(f"input must be 4-D (NCHW), got shape {shape_str(x_shape)}")
        return window_problem(*x_shape, self.ws, self.stride, self.pad, self.ignore_border,
                              np.dtype(dtype).name, op="pool_2d")

    def out_shape(self, x_shape, dtype="float64") -> tuple:
        """(N, C, P, Q) for an input of ``x_shape``."""
        p = self.problem(x_shape, dtype)
        return p["N"], p["C"], p["P"], p["Q"]

    def _tensor4(self, value):
        var = as_variable(value)
        if var.ndim != 4:
            raise ShapeError(f"{self}: input must be a 4-D tensor (NCHW), got {var} of type {var.type}")
        if var.dtype not in FLOAT_DTYPES:
            raise DTypeError(f"{self}: input must be float32 or float64, got {var} of type {var.type}")
        return var

    def _like(self, op_type):
        return op_type(self.ws, self.ignore_border, self.stride, self.pad, self.mode)


class Pool(PoolBase):
    """pool_2d(x): max or average of each window of the last two axes of x (N, C, H, W)."""

    def make_node(self, x):
        x = self._tensor4(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        output_storage[0][0] = pool_reference(self.problem(x.shape, x.dtype), x, self.mode == "max", x.dtype)

    def perform_host(self, node, inputs, output_storage):
        # The host code pools without padding, its windows inside the plane.
        if self.pad != (0, 0) or not self.ignore_border:
            return self.perform(node, inputs, output_storage)
        from warpbench.hostcode import nnet
        x = inputs[0]
        pool = nnet.maxpool2d if self.mode == "max" else nnet.avgpool2d
        output_storage[0][0] = pool(np.ascontiguousarray(x), self.ws, self.stride)

    def infer_shape(self, node, input_shapes):
        return [self.out_shape(input_shapes[0])]

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [self._like(MaxPoolGrad if self.mode == "max" else AveragePoolGrad)(x, g)]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import pool_kernel
        return pool_kernel(self, node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_pool
        output_storage[0][0] = launch_pool(self, kernel, inputs[0])


class PoolGradBase(PoolBase):
    """(x, g) -> dx, x's shape; g has the pooled shape."""

    def make_node(self, x, g):
        x, g = self._tensor4(x), self._tensor4(g)
        if x.dtype != g.dtype:
            raise DTypeError(f"{self}: input {x.dtype} and output gradient {g.dtype} differ")
        return Apply(self, [x, g], [x.type()])

    def infer_shape(self, node, input_shapes):
        x, g = input_shapes
        if tuple(g) != self.out_shape(x):
            raise ShapeError(f"output gradient is {shape_str(g)}, the pooled output is {shape_str(self.out_shape(x))}")
        return [tuple(x)]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import by_dtype
        return by_dtype(self.KERNEL, node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_pool_grad
        output_storage[0][0] = launch_pool_grad(self, kernel, *inputs)


class MaxPoolGrad(PoolGradBase):
    """The gradient of max pooling: each window's g goes to its first maximum."""

    KERNEL = "maxpool2d_window_bwd"

    def perform(self, node, inputs, output_storage):
        x, g = inputs
        output_storage[0][0] = max_grad_reference(self.problem(x.shape, x.dtype), x, g, x.dtype)


class AveragePoolGrad(PoolGradBase):
    """The gradient of average pooling: each window's g spread evenly over its input elements.
    x gives only its shape."""

    KERNEL = "avgpool2d_window_bwd"
    shape_inputs = (0,)

    def perform(self, node, inputs, output_storage):
        x, g = inputs
        output_storage[0][0] = avg_grad_reference(self.problem(x.shape, g.dtype), g, g.dtype)

    def grad(self, inputs, output_grads):
        return [None, self._like(Pool)(output_grads[0])]


def pool_2d(input, ws, ignore_border=True, stride=None, pad=(0, 0), mode="max"):
    """Theano's ``pool_2d``: pool the last two axes of ``input`` (N, C, H, W) with windows ``ws``
    (wh, ww), moved by ``stride`` (default ``ws``), the plane padded by ``pad``; ``mode`` "max"
    or "average_exc_pad"."""
    return Pool(ws, ignore_border, stride, pad, mode)(input)
