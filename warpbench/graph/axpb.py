"""The book's chapter-13 op: ``AXPBOp(a, b)(x) = a * x + b``, on the host and on a kernel device.

Written as in "Deep Learning with Theano", chapter 13 (``1-python-op.py``), with the
book's ``grad`` bug fixed (it used an undefined ``a``; the factor is ``self.a``), plus the
two implementations the book builds separately: the host code (``hostcode.elementwise``)
and the CUDA kernel (registry ``axpb_f32`` / ``axpb_f64``, picked by dtype).
"""
from __future__ import annotations

import numpy as np

from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op
from warpbench.graph.type import FLOAT_DTYPES

#: The registry kernel computing a * x + b for each dtype.
AXPB_KERNELS = {"float32": "axpb_f32", "float64": "axpb_f64"}


def launch_axpb(kernel, x, a: float, b: float):
    """``a * x + b`` for a device array ``x`` with a compiled axpb kernel; returns a new array."""
    z = kernel.device.empty(x.shape, x.dtype)
    problem = {"n": int(np.prod(x.shape)), "dtype": np.dtype(x.dtype).name, "a": a, "b": b}
    kernel.launch_problem(problem, {"x": x, "z": z})
    return z


def host_axpb(x: np.ndarray, a: float, b: float) -> np.ndarray:
    """``a * x + b`` with the Cython host code (float32/float64), NumPy for other dtypes."""
    if x.dtype.name not in FLOAT_DTYPES:
        return np.asarray(a * x + b, dtype=x.dtype)
    from warpbench.hostcode import elementwise
    return elementwise.axpb(x, a, b)


class AXPBOp(Op):
    """z = a * x + b elementwise, for constants ``a`` and ``b``; ``z`` has x's type."""

    __props__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def make_node(self, x):
        x = as_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        z = output_storage[0]
        z[0] = np.asarray(self.a * x + self.b, dtype=x.dtype)

    def perform_host(self, node, inputs, output_storage):
        output_storage[0][0] = host_axpb(inputs[0], self.a, self.b)

    def infer_shape(self, node, i0_shapes):
        return i0_shapes

    def grad(self, inputs, output_grads):
        return [self.a * output_grads[0]]

    def device_kernel(self, node):
        return AXPB_KERNELS.get(node.inputs[0].dtype)

    def perform_device(self, node, kernel, inputs, output_storage):
        output_storage[0][0] = launch_axpb(kernel, inputs[0], self.a, self.b)
