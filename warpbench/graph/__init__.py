"""A thin Theano-style graph executor: build a symbolic graph, compile it for a device, run it.

>>> from warpbench.graph import vector, function, debugprint
>>> x = vector("x")
>>> f = function([x], x * 2 + 4 * x, device="cpu")
>>> f([1.0, 2.0])
array([ 6., 12.], dtype=float32)

Modules, in the order a graph meets them: config (floatX), type (TensorType,
GpuArrayType), basic (Variable, Constant, Apply, walks), op (the Op contract), elemwise /
reduction / linalg / axpb / transfer / shape (the ops; ``x.shape``), tensor_ops (Theano's
tensor ops from math, reduce_ops, shape_ops, subtensor, creation), c_op (ops written in
C, compiled by c_compile), gpu_op (GpuElemwise, ElementwiseKernel nodes), shared (values
that live on the device using them), gradient (grad, verify_grad), fg (FunctionGraph),
fusion (Composite; composite_c its C loop), inplace (destroy_map), rewrite (merge, shape inference, constant folding, fusion, lift to
device, cut transfers), link (storage map, the slow path of the Cython VM in
``warpbench.hostcode.vm``), function, profiling (ProfileStats), printing (debugprint,
pprint, print_profile); nnet (conv2d, pool_2d, softmax, batch norm, dropout).
"""
from warpbench.graph.axpb import AXPBOp
from warpbench.graph.basic import (Apply, Constant, Variable, as_variable, constant, matrix, scalar, tensor,
                                   tensor4, vector)
from warpbench.graph.bilstm import BiLSTM, BiLSTMGrad, bilstm
from warpbench.graph.elemwise import (Add, Elemwise, Exp, Mul, Neg, Relu, Sigmoid, Step, Sub, Tanh, TrueDiv,
                                      add, exp, mul, neg, relu, sigmoid, step, sub, tanh, true_div)
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.function import Function, function
from warpbench.graph.fusion import Composite
from warpbench.graph.gpu_op import ElementwiseOp, GpuElemwise
from warpbench.graph.gradient import grad, verify_grad
from warpbench.graph.linalg import Dot, Transpose, dot, transpose
from warpbench.graph.lstm import LSTM, LSTMGrad, lstm
from warpbench.graph.nnet import (RandomStream, batch_normalization, batch_normalization_test,
                                  batch_normalization_train, categorical_crossentropy, conv2d, dropout,
                                  log_softmax, pool_2d, softmax)
from warpbench.graph.op import MethodNotDefined, Op
from warpbench.graph.printing import debugprint, pprint, print_profile
from warpbench.graph.reduction import Fill, SumTo, fill, sum_to
from warpbench.graph.scan import scan
from warpbench.graph.scan_op import Scan
from warpbench.graph.tensor_ops import *  # noqa: F401,F403  Theano's tensor ops (see tensor_ops.py)
from warpbench.graph.tensor_ops import __all__ as _tensor_names
from warpbench.graph.shape import Shape, ShapeI, shape_of
from warpbench.graph.shared import SharedVariable, shared
from warpbench.graph.transfer import GpuFromHost, HostFromGpu, placement
from warpbench.graph.type import GpuArrayType, TensorType
from warpbench.graph.typed import *  # noqa: F401,F403  dscalar, fvector, imatrix... (see typed.py)
from warpbench.graph.typed import __all__ as _typed_names
from warpbench.kernels.elementwise_kernel import ElementwiseKernel
from warpbench.kernels.user import RawKernel

__all__ = [
    "AXPBOp", "Add", "Apply", "Composite", "Constant", "Dot", "Elemwise", "ElementwiseKernel", "ElementwiseOp",
    "Exp", "Fill", "Function", "FunctionGraph", "GpuArrayType", "GpuElemwise", "GpuFromHost", "HostFromGpu",
    "RawKernel", "MethodNotDefined", "Mul", "Neg", "Op", "Relu",
    "SharedVariable", "Sigmoid", "Step", "Sub", "SumTo", "Tanh", "TensorType", "Transpose", "TrueDiv",
    "Variable", "add",
    "as_variable", "constant", "debugprint", "dot", "exp", "fill", "function", "grad", "matrix", "mul",
    "neg", "placement", "print_profile", "relu", "scalar", "shared", "sigmoid", "step", "sub",
    "sum_to", "tanh", "tensor", "tensor4", "true_div", "vector", "verify_grad",
    "Shape", "ShapeI", "pprint", "shape_of", "Scan", "scan",
    "BiLSTM", "BiLSTMGrad", "LSTM", "LSTMGrad", "bilstm", "lstm",
    "RandomStream", "batch_normalization", "batch_normalization_test", "batch_normalization_train",
    "categorical_crossentropy", "conv2d", "dropout", "log_softmax", "pool_2d", "softmax",
] + _tensor_names + _typed_names
