"""Shapes in device graphs without transfers: ``GpuShapedZeros`` and the rewrite that uses it.

An input an op reads for its shape only gets a :class:`~warpbench.graph.shape.ShapedZeros`
stand-in (shape.py). When that op runs on a kernel device, the lift would copy the stand-in's
zeros from the host; :func:`device_stand_ins` makes them on the device instead, from the
same shapes, so no transfer is left around the op (``fill(x, g)`` in a gradient). Shapes
learnt on the host (``InferredShape``, the element count of a ``mean``) read the shapes of
device values directly, not of copies brought back by ``HostFromGpu``.
"""
from __future__ import annotations

from warpbench.graph.basic import Apply
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.shape import InferredShape, ShapedZeros
from warpbench.graph.transfer import GpuFromHost, HostFromGpu
from warpbench.graph.type import GpuArrayType
from warpbench.kernels.elementwise_kernel import ElementwiseKernel

#: Writes zeros over its output: the generated kernel of the device stand-in.
ZEROS = ElementwiseKernel("", "T out", "out = 0", "shaped_zeros")


class GpuShapedZeros(ShapedZeros):
    """ShapedZeros of ``target`` allocated and zeroed on the kernel device ``device``; its
    sources (read for their shapes only) may live anywhere."""

    def __init__(self, target, sources, device: str):
        super().__init__(target, sources)
        self.device = device

    def make_node(self, *sources):
        return Apply(self, sources, [GpuArrayType(self.target.dtype, self.target.ndim, self.device)()])

    def device_kernel(self, node):
        out = node.outputs[0]
        return ZEROS.spec(ZEROS.signature([], [out.dtype], out.ndim))

    def perform_device(self, node, kernel, inputs, output_storage):
        out = kernel.device.empty(self.infer(inputs), self.target.dtype)
        output_storage[0][0] = ZEROS.launch(kernel.device, [], [out], kernel=kernel)[0]


def _device_source(var):
    """The device value a ``HostFromGpu`` copied into ``var``, when var is a tensor (a scalar
    source may be read for its value, as an extent), else var."""
    copied = var.owner is not None and isinstance(var.owner.op, HostFromGpu) and var.ndim > 0
    return var.owner.inputs[0] if copied else var


def device_stand_ins(fg: FunctionGraph) -> int:
    """Replace each ``GpuFromHost(ShapedZeros(...))`` by the GpuShapedZeros of its device,
    and let every shape learnt on the host read its sources where they live."""
    def transform(node):
        if isinstance(node.op, InferredShape):
            node.inputs = [_device_source(v) for v in node.inputs]
        source = node.inputs[0].owner if isinstance(node.op, GpuFromHost) else None
        if source is None or type(source.op) is not ShapedZeros:
            return None
        made = GpuShapedZeros(source.op.target, source.op.sources, node.op.device).make_node(*source.inputs)
        made.trace = source.trace
        return made.outputs

    return fg.rewrite(transform)
