"""The book's chapter-13 GPU op ("Theano Op in C for GPU") as a reader writes it with warpbench.

Its own CUDA source, with the C type filled in per dtype as the book does (``%(ctype)s``),
is its ``device_kernel``; ``perform_device`` launches it on the node's shapes, through the
spec's geometry (one thread per element, ``BLOCK`` a tunable). ``perform`` is the reference.
"""
import numpy as np

from warpbench.graph import Apply, Op, RawKernel, as_variable
from warpbench.kernels import Tunable

AXPB_CUDA = r"""
extern "C" __global__ void axpb(%(ctype)s* z, const %(ctype)s* x, %(ctype)s a, %(ctype)s b, long long n) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        z[i] = a * x[i] + b;
}
"""
CTYPES = {"float32": "float", "float64": "double"}


class GpuAXPBOp(Op):
    """z = a * x + b on a kernel device with its own CUDA kernel."""

    __props__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def make_node(self, x):
        x = as_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        output_storage[0][0] = np.asarray(self.a * x + self.b, dtype=x.dtype)

    def infer_shape(self, node, i0_shapes):
        return i0_shapes

    def grad(self, inputs, output_grads):
        return [self.a * output_grads[0]]

    def device_kernel(self, node):
        ctype = CTYPES.get(node.inputs[0].dtype)
        if ctype is None:
            return None  # other dtypes run perform on the host
        return RawKernel(AXPB_CUDA % {"ctype": ctype}, "axpb", tunables=(Tunable("BLOCK", (128, 256, 512), 256),))

    def perform_device(self, node, kernel, inputs, output_storage):
        x = inputs[0]
        z = kernel.device.empty(x.shape, x.dtype)
        kernel.launch_problem({"n": x.size, "a": self.a, "b": self.b}, {"x": x, "z": z})
        output_storage[0][0] = z
