"""Device ops built on user kernels: ``GpuElemwise`` and ElementwiseKernel nodes.

:class:`GpuElemwise` is an elementwise op (a fused ``Composite`` or a single op) placed on
a kernel device, printed as Theano prints it, ``GpuElemwise{Composite{(i0 + (i1 * i2))}}``;
:func:`gpu_elemwise` is the rewrite that wraps every elementwise node the lift moved to a
device. Both run the kernel generated for the node (warpbench.graph.fusion), into the
buffer of the input it destroys when it is in place (``inplace``; inplace.py).

:class:`ElementwiseOp` is what an :class:`~warpbench.kernels.elementwise_kernel.ElementwiseKernel`
called on graph variables builds: its outputs broadcast like its inputs, their dtypes come
from the kernel's parameters, and it computes with the kernel's own CUDA source on every
device: on cuda and emu as a device node, on the host through the CUDA emulator.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import WarpbenchError
from warpbench.graph.basic import Apply, Constant, Variable, as_variable
from warpbench.graph.elemwise import Elemwise
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.fusion import elemwise_kernel, launch_elemwise
from warpbench.graph.inplace import InPlace
from warpbench.graph.op import Op, output_variable
from warpbench.graph.transfer import placement
from warpbench.graph.type import broadcast_shape


class GpuElemwise(InPlace, Op):
    """The elementwise op ``scalar_op`` computing on a kernel device (its inputs and outputs
    live there, 0-d constants aside); ``inplace``: the input whose buffer the output takes
    (inplace.py), or None."""

    __props__ = ("scalar_op", "inplace")

    def __init__(self, scalar_op: Elemwise, inplace: int | None = None):
        self.scalar_op = scalar_op
        self.inplace = inplace

    def in_place(self, k: int) -> "GpuElemwise":
        """This op writing its output into input ``k``'s buffer."""
        return GpuElemwise(self.scalar_op, k)

    def __str__(self):
        return f"GpuElemwise{{{self.scalar_op}}}"

    __repr__ = __str__

    def make_node(self, *inputs):
        inner = self.scalar_op.make_node(*inputs)
        return Apply(self, inner.inputs, [out.type() for out in inner.outputs])

    def perform(self, node, inputs, output_storage):
        self.scalar_op.perform(node, inputs, output_storage)

    def infer_shape(self, node, input_shapes):
        return self.scalar_op.infer_shape(node, input_shapes)

    def device_kernel(self, node):
        return elemwise_kernel(self.scalar_op, node)

    def perform_device(self, node, kernel, inputs, output_storage):
        launch_elemwise(self.scalar_op, node, kernel, inputs, output_storage)


def gpu_elemwise(fg: FunctionGraph, device: str) -> int:
    """Wrap every elementwise node placed on ``device`` in :class:`GpuElemwise`."""
    def transform(node):
        if not isinstance(node.op, Elemwise) or placement(node) != device:
            return None
        wrapped = GpuElemwise(node.op).make_node(*node.inputs)
        wrapped.trace = node.trace
        return wrapped.outputs

    return fg.rewrite(transform)


class ElementwiseOp(Op):
    """An ElementwiseKernel as a graph op (see the module docstring); raw parameters, which
    have no shape to broadcast, cannot be graph inputs."""

    __props__ = ("kernel",)

    def __init__(self, kernel):
        raw = [p.name for p in kernel.in_params + kernel.out_params if p.raw]
        if raw:
            raise WarpbenchError(f"ElementwiseKernel '{kernel.name}': raw parameter {raw[0]} cannot be a graph "
                                 f"input or output; call the kernel on device arrays instead")
        self.kernel = kernel

    def __str__(self):
        return f"ElementwiseKernel{{{self.kernel.name}}}"

    __repr__ = __str__

    def make_node(self, *inputs):
        if len(inputs) != self.kernel.nin:
            raise WarpbenchError(f"{self} takes {self.kernel.nin} input(s), got {len(inputs)}")
        like = next((i for i in inputs if isinstance(i, Variable)), None)
        variables = [as_variable(i, like) for i in inputs]
        ndim = max(v.ndim for v in variables)
        outputs = [output_variable(variables, dtype, ndim) for dtype in self.kernel.output_dtypes(variables)]
        return Apply(self, variables, outputs)

    def infer_shape(self, node, input_shapes):
        return [broadcast_shape(input_shapes)] * len(node.outputs)

    def perform(self, node, inputs, output_storage):
        """On the host the kernel's CUDA source runs in the emulator: it is the op's only code."""
        from warpbench.runtime import get_device
        emu = get_device("emu")
        args = [value if isinstance(var, Constant) and var.ndim == 0 else emu.to_device(np.asarray(value))
                for var, value in zip(node.inputs, inputs)]
        for cell, out in zip(output_storage, self.kernel.launch(emu, args)):
            cell[0] = out.get()

    def device_kernel(self, node):
        return self.kernel

    def perform_device(self, node, kernel, inputs, output_storage):
        for cell, out in zip(output_storage, self.kernel.launch(kernel.device, inputs, kernel=kernel)):
            cell[0] = out
