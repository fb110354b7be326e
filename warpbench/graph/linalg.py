"""Matrix ops: ``Transpose`` (host code; on a kernel device the registry's ``transpose_padded``
for float32, the generated permute kernel for other dtypes) and ``Dot`` (the host code's BLAS;
on a kernel device the registry's GEMM for its dtype).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op, output_variable
from warpbench.graph.type import FLOAT_DTYPES, shape_str


def _matrix(op, name: str, value):
    """``value`` as a variable, or a ShapeError naming the op when it is not 2-D."""
    var = as_variable(value)
    if var.ndim != 2:
        raise ShapeError(f"{op}: {name} must be a matrix, got {var} of type {var.type}")
    return var


class Transpose(Op):
    """x.T for a matrix x, as a new C-contiguous matrix."""

    __props__ = ()
    #: The bank-conflict-free shared-memory tile variant of the transpose study.
    KERNEL = "transpose_padded"

    def make_node(self, x):
        x = _matrix(self, "x", x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0].T.copy()  # C order; never a view of the input

    def perform_host(self, node, inputs, output_storage):
        if inputs[0].dtype.name not in FLOAT_DTYPES:
            return self.perform(node, inputs, output_storage)
        from warpbench.hostcode import transpose
        output_storage[0][0] = transpose.transpose(inputs[0])

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[0])[::-1]]

    def grad(self, inputs, output_grads):
        return [transpose(output_grads[0])]

    def device_kernel(self, node):
        """The registry's transpose study kernel for its dtype (float32), else the generated
        permute kernel (warpbench.kernels.permute)."""
        from warpbench.kernels import get
        from warpbench.kernels.permute import DTYPES, permute_spec
        dtype = node.inputs[0].dtype
        if dtype in get(self.KERNEL).dtypes:
            return self.KERNEL
        return permute_spec(dtype, 2) if dtype in DTYPES else None

    def perform_device(self, node, kernel, inputs, output_storage):
        x = inputs[0]
        if kernel.spec.name != self.KERNEL:
            from warpbench.kernels.permute import launch_permute
            output_storage[0][0] = launch_permute(kernel, x, (1, 0))
            return
        rows, cols = x.shape
        out = kernel.device.empty((cols, rows), x.dtype)
        kernel.launch_problem({"rows": rows, "cols": cols, "dtype": np.dtype(x.dtype).name}, {"in": x, "out": out})
        output_storage[0][0] = out


class Dot(Op):
    """The matrix product x @ y of an (m, k) and a (k, n) matrix."""

    __props__ = ()

    def make_node(self, x, y):
        x, y = _matrix(self, "x", x), _matrix(self, "y", y)
        dtype = np.result_type(np.dtype(x.dtype), np.dtype(y.dtype))
        return Apply(self, [x, y], [output_variable([x, y], dtype, 2)])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.dot(*inputs).astype(node.outputs[0].dtype, copy=False)

    def perform_host(self, node, inputs, output_storage):
        x, y = inputs
        if x.dtype != y.dtype or x.dtype.name not in FLOAT_DTYPES:
            return self.perform(node, inputs, output_storage)
        from warpbench.hostcode import blas
        output_storage[0][0] = blas.gemm(x, y)

    #: The registry GEMM a device runs per dtype (the tuner's best config when it has one).
    DEVICE_GEMM = {"float32": "sgemm_warptile", "float64": "dgemm_smem"}

    def device_kernel(self, node):
        """The registry GEMM for two matrices of one float dtype, else None (host)."""
        x, y = node.inputs
        return self.DEVICE_GEMM.get(x.dtype) if x.dtype == y.dtype else None

    def perform_device(self, node, kernel, inputs, output_storage):
        x, y = inputs
        (m, k), (k2, n) = x.shape, y.shape
        if k != k2:
            raise ShapeError(f"inner dimensions differ: {shape_str((m, k))} @ {shape_str((k2, n))}")
        out = kernel.device.empty((m, n), x.dtype)   # beta = 0: C is written, never read
        kernel.launch_problem({"M": m, "N": n, "K": k, "alpha": 1.0, "beta": 0.0, "trans_a": 0, "trans_b": 0,
                               "dtype": np.dtype(x.dtype).name}, {"C": out, "A": x, "B": y})
        output_storage[0][0] = out

    def infer_shape(self, node, input_shapes):
        (m, k), (k2, n) = input_shapes
        if k != k2:
            raise ShapeError(f"inner dimensions differ: {shape_str((m, k))} @ {shape_str((k2, n))}")
        return [(m, n)]

    def grad(self, inputs, output_grads):
        x, y = inputs
        (g,) = output_grads
        return [dot(g, transpose(y)), dot(transpose(x), g)]


transpose, _dot = Transpose(), Dot()


def dot(x, y):
    """Theano's ``dot``: the matrix product of two matrices through :class:`Dot`. A vector
    operand is a column on the right or a row on the left, and that axis is dropped from the
    result (``dot(X, w)`` is a vector); two vectors give their 0-d inner product. Other
    dimensions are a ShapeError naming ``Dot``."""
    x, y = as_variable(x), as_variable(y)
    if x.ndim == 1 and y.ndim == 1:
        return (x * y).sum()
    if y.ndim == 1:
        return _dot(x, y.dimshuffle(0, "x")).dimshuffle(0)
    if x.ndim == 1:
        return _dot(x.dimshuffle("x", 0), y).dimshuffle(1)
    return _dot(x, y)
