"""Batch normalization in training on a kernel device: the sums over the normalized axes
run the generated axis-reduce kernel (warpbench.kernels.axis_reduce), everything else one
generated elementwise kernel per step, broadcasting the (1, C, 1, 1)-shaped statistics.

The steps are those of ``BatchNormTrain.perform`` / ``BatchNormTrainGrad.perform`` (the
NumPy references): the mean, then the variance as the mean of the centred squares (two
passes, as NumPy's var), and the gradient's two sums of dy and dy * xhat.
"""
from __future__ import annotations

import math

from warpbench.kernels.axis_reduce import launch_axis_reduce
from warpbench.kernels.elementwise_kernel import ElementwiseKernel

MEAN = ElementwiseKernel("T total, T count", "T mean", "mean = total / count", "bn_mean")
CENTRED_SQUARE = ElementwiseKernel("T x, T mean", "T d", "d = (x - mean) * (x - mean)", "bn_centred_square")
STATISTICS = ElementwiseKernel(
    "T squares, T count, T epsilon, T unbias", "T invstd, T unbiased",
    "const T var = squares / count; invstd = (T)1 / sqrt(var + epsilon); unbiased = var * unbias",
    "bn_statistics")
NORMALIZE = ElementwiseKernel("T x, T mean, T invstd, T gamma, T beta", "T y",
                              "y = (x - mean) * invstd * gamma + beta", "bn_normalize")
DY_XHAT = ElementwiseKernel("T dy, T x, T mean, T invstd", "T p", "p = dy * ((x - mean) * invstd)", "bn_dy_xhat")
GRAD_INPUT = ElementwiseKernel(
    "T x, T dy, T gamma, T mean, T invstd, T dbeta, T dgamma, T count", "T dx",
    "const T xhat = (x - mean) * invstd; dx = gamma * invstd * (dy - dbeta / count - xhat * dgamma / count)",
    "bn_grad_input")


def _sum(kernel, values, axes, stats_shape):
    return launch_axis_reduce(kernel, "sum", values, axes, stats_shape)


def _count(x, stats_shape) -> int:
    return math.prod(x.shape) // max(math.prod(stats_shape), 1)


def train(kernel, axes, epsilon: float, x, gamma, beta) -> list:
    """[out, mean, invstd, unbiased var] of BatchNormTrain on device arrays; ``kernel``: the
    compiled axis-reduce sum for x's rank and ``axes``."""
    device, dtype = kernel.device, x.dtype.type
    stats_shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
    count = _count(x, stats_shape)
    (mean,) = MEAN.launch(device, [_sum(kernel, x, axes, stats_shape), dtype(count)])
    (squares,) = CENTRED_SQUARE.launch(device, [x, mean])
    invstd, unbiased = STATISTICS.launch(device, [_sum(kernel, squares, axes, stats_shape), dtype(count),
                                                  dtype(epsilon), dtype(count / max(count - 1, 1))])
    (out,) = NORMALIZE.launch(device, [x, mean, invstd, gamma, beta])
    return [out, mean, invstd, unbiased]


def train_grad(kernel, axes, x, dy, gamma, mean, invstd) -> list:
    """[dx, dgamma, dbeta] of BatchNormTrainGrad on device arrays (``kernel`` as for :func:`train`)."""
    device, dtype = kernel.device, x.dtype.type
    stats_shape = tuple(mean.shape)
    count = dtype(_count(x, stats_shape))
    dbeta = _sum(kernel, dy, axes, stats_shape)
    (products,) = DY_XHAT.launch(device, [dy, x, mean, invstd])
    dgamma = _sum(kernel, products, axes, stats_shape)
    (dx,) = GRAD_INPUT.launch(device, [x, dy, gamma, mean, invstd, dbeta, dgamma, count])
    return [dx, dgamma, dbeta]
