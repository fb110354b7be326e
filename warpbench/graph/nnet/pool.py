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

MODES = ("max", "average_exc_pad")


def _pair(name: str, value, minimum: int) -> tuple[int, int]:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v >= minimum for v in pair):
        raise ShapeError(f"pool_2d: {name} must be a pair of ints >= {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def out_extent(size: int, window: int, stride: int, pad: int, ignore_border: bool) -> int:
    """How many windows fit along an axis of ``size`` (Theano's Pool.out_shape)."""
    if ignore_border:
        return (size + 2 * pad - window) // stride + 1
    if stride >= window:
        return (size - 1) // stride + 1
    return max(0, (size - 1 - window + stride) // stride) + 1


def window_bounds(index: int, window: int, stride: int, pad: int, size: int) -> tuple[int, int]:
    """[lo, hi) of the input rows under window ``index``, padding cut off."""
    start = index * stride - pad
    return max(start, 0), min(start + window, size)


class PoolBase(Op):
    """What pooling and its gradients share: parameters and output geometry."""

    __props__ = ("ws", "ignore_border", "stride", "pad", "mode")

    def __init__(self, ws, ignore_border=True, stride=None, pad=(0, 0), mode="max"):
        self.ws = _pair("ws", ws, 1)
        self.stride = self.ws if stride is None else _pair("stride", stride, 1)
        self.pad = _pair("pad", pad, 0)
        self.ignore_border = bool(ignore_border)
        if mode not in MODES:
            raise ShapeError(f"pool_2d: mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        if self.pad != (0, 0) and not self.ignore_border:
            raise ShapeError(f"pool_2d: padding {self.pad} needs ignore_border=True (as in Theano)")
        if any(p >= w for p, w in zip(self.pad, self.ws)):
            raise ShapeError(f"pool_2d: padding {self.pad} must be smaller than the window {self.ws}")

    def out_shape(self, x_shape) -> tuple:
        """(N, C, P, Q) for an input of ``x_shape``; ShapeError when the window does not fit."""
        if len(x_shape) != 4:
            raise ShapeError(f"input must be 4-D (NCHW), got shape {shape_str(x_shape)}")
        n, c, h, w = x_shape
        (kh, kw), (ph, pw) = self.ws, self.pad
        if self.ignore_border and (kh > h + 2 * ph or kw > w + 2 * pw):
            raise ShapeError(f"window {kh}x{kw} is larger than the input plane {h}x{w} padded by {ph}x{pw}")
        extents = [out_extent(size, k, s, p, self.ignore_border)
                   for size, k, s, p in zip((h, w), self.ws, self.stride, self.pad)]
        return (n, c, *extents)

    def windows(self, x_shape):
        """(i, j, rows, cols) for every output position: the slices of the plane it pools."""
        _, _, p, q = self.out_shape(x_shape)
        (kh, kw), (sh, sw), (ph, pw) = self.ws, self.stride, self.pad
        for i in range(p):
            h0, h1 = window_bounds(i, kh, sh, ph, x_shape[2])
            for j in range(q):
                w0, w1 = window_bounds(j, kw, sw, pw, x_shape[3])
                yield i, j, slice(h0, h1), slice(w0, w1)

    def _tensor4(self, value):
        var = as_variable(value)
        if var.ndim != 4:
            raise ShapeError(f"{self}: input must be a 4-D tensor (NCHW), got {var} of type {var.type}")
        if var.dtype not in FLOAT_DTYPES:
            raise DTypeError(f"{self}: input must be float32 or float64, got {var} of type {var.type}")
        return var

    def _like(self, op_type):
        return op_type(self.ws, self.ignore_border, self.stride, self.pad, self.mode)

    def problem(self, x_shape, dtype) -> dict:
        """The problem dict of the pool2d_window kernels."""
        from warpbench.kernels.specs.pool_window import window_problem
        n, c, h, w = x_shape
        return window_problem(n, c, h, w, self.ws, self.stride, self.pad, self.ignore_border, np.dtype(dtype).name)


class Pool(PoolBase):
    """pool_2d(x): max or average of each window of the last two axes of x (N, C, H, W)."""

    def make_node(self, x):
        x = self._tensor4(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        out = np.empty(self.out_shape(x.shape), x.dtype)
        for i, j, rows, cols in self.windows(x.shape):
            window = x[:, :, rows, cols]
            out[:, :, i, j] = window.max(axis=(2, 3)) if self.mode == "max" else window.mean(axis=(2, 3))
        output_storage[0][0] = out

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
        dx = np.zeros_like(x)
        n, c = np.indices(x.shape[:2])
        for i, j, rows, cols in self.windows(x.shape):
            window = x[:, :, rows, cols]
            first = window.reshape(*x.shape[:2], -1).argmax(axis=2)
            a, b = np.divmod(first, window.shape[3])
            dx[n, c, rows.start + a, cols.start + b] += g[:, :, i, j]
        output_storage[0][0] = dx


class AveragePoolGrad(PoolGradBase):
    """The gradient of average pooling: each window's g spread evenly over its input elements.
    x gives only its shape."""

    KERNEL = "avgpool2d_window_bwd"
    shape_inputs = (0,)

    def perform(self, node, inputs, output_storage):
        x, g = inputs
        dx = np.zeros(x.shape, g.dtype)
        for i, j, rows, cols in self.windows(x.shape):
            count = (rows.stop - rows.start) * (cols.stop - cols.start)
            dx[:, :, rows, cols] += (g[:, :, i, j] / count)[:, :, None, None]
        output_storage[0][0] = dx

    def grad(self, inputs, output_grads):
        return [None, self._like(Pool)(output_grads[0])]


def pool_2d(input, ws, ignore_border=True, stride=None, pad=(0, 0), mode="max"):
    """Theano's ``pool_2d``: pool the last two axes of ``input`` (N, C, H, W) with windows ``ws``
    (wh, ww), moved by ``stride`` (default ``ws``), the plane padded by ``pad``; ``mode`` "max"
    or "average_exc_pad"."""
    return Pool(ws, ignore_border, stride, pad, mode)(input)
