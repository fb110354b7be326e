"""Neural-network ops with Theano's names: ``conv2d``, ``pool_2d``, ``softmax``, ``log_softmax``,
``categorical_crossentropy``, the batch-normalization trio, ``dropout`` and ``RandomStream``
(``relu``, ``sigmoid``, ``tanh``, ``softplus`` and ``binary_crossentropy`` are elementwise,
re-exported).

Each op computes in NumPy (``perform``), with the host code where the library has it, and
on a kernel device with registry kernels (device.py): the forward kernels of the library and
the backward ones of ``conv2d_grad``, ``pool_window`` and ``softmax_grad``.
"""
from warpbench.graph.elemwise import relu, sigmoid, tanh
from warpbench.graph.special import binary_crossentropy, softplus
from warpbench.graph.nnet.batchnorm import (BatchNormTrain, BatchNormTrainGrad, batch_normalization,
                                            batch_normalization_test, batch_normalization_train)
from warpbench.graph.nnet.conv import Conv2d, Conv2dGradInputs, Conv2dGradWeights, FlipFilters, conv2d
from warpbench.graph.nnet.dropout import dropout
from warpbench.graph.nnet.random import RandomStream
from warpbench.graph.nnet.pool import AveragePoolGrad, MaxPoolGrad, Pool, pool_2d
from warpbench.graph.nnet.softmax import (CategoricalCrossentropy, CrossentropyCategorical1Hot, LogSoftmax,
                                          LogSoftmaxGrad, Softmax, SoftmaxGrad, categorical_crossentropy,
                                          log_softmax, softmax)

__all__ = [
    "AveragePoolGrad", "BatchNormTrain", "BatchNormTrainGrad", "CategoricalCrossentropy", "Conv2d",
    "Conv2dGradInputs", "Conv2dGradWeights", "CrossentropyCategorical1Hot", "FlipFilters", "LogSoftmax",
    "LogSoftmaxGrad", "MaxPoolGrad", "Pool", "RandomStream", "Softmax", "SoftmaxGrad", "batch_normalization",
    "batch_normalization_test", "batch_normalization_train", "categorical_crossentropy", "conv2d", "dropout",
    "log_softmax", "pool_2d", "relu", "sigmoid", "softmax", "tanh", "softplus", "binary_crossentropy",
]
