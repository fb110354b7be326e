"""Moving data between host and device memory: ``GpuFromHost`` and ``HostFromGpu``.

The lift rewrite (rewrite.py) inserts them where a node's inputs live elsewhere than the
node runs; ``placement`` says where a node runs, for the linker and for debugprint.
"""
from __future__ import annotations

from warpbench.errors import DTypeError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op
from warpbench.graph.type import GpuArrayType, TensorType


class GpuFromHost(Op):
    """Copy a host array to the memory of the kernel device ``device`` ("cuda" or "emu")."""

    __props__ = ("device",)
    do_constant_folding = False  # a device array must not be created while compiling

    def __init__(self, device: str):
        self.device = device

    def __str__(self):
        return f"GpuFromHost<{self.device}>"

    def make_node(self, x):
        x = as_variable(x)
        if x.type.device is not None:
            raise DTypeError(f"{self}: {x} is already on {x.type.device} ({x.type})")
        return Apply(self, [x], [GpuArrayType(x.dtype, x.ndim, self.device)()])

    def perform(self, node, inputs, output_storage):
        from warpbench.runtime import get_device
        output_storage[0][0] = get_device(self.device).to_device(inputs[0])

    def infer_shape(self, node, input_shapes):
        return input_shapes


class HostFromGpu(Op):
    """Copy a device array back to host memory as a NumPy array."""

    __props__ = ()
    do_constant_folding = False

    def make_node(self, x):
        if x.type.device is None:
            raise DTypeError(f"{self}: {x} is not on a device ({x.type})")
        return Apply(self, [x], [TensorType(x.dtype, x.ndim)()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0].get()

    def infer_shape(self, node, input_shapes):
        return input_shapes


host_from_gpu = HostFromGpu()


def placement(node: Apply) -> str:
    """Where ``node`` runs: "cpu", a kernel device ("emu"), or "cpu->emu" / "emu->cpu" for transfers."""
    if isinstance(node.op, GpuFromHost):
        return f"cpu->{node.op.device}"
    if isinstance(node.op, HostFromGpu):
        return f"{node.inputs[0].type.device}->cpu"
    return next((o.type.device for o in node.outputs if o.type.device is not None), "cpu")
