"""The rewrites a function's graph goes through before it is linked, in this order:

1. ``merge``: common subexpressions become one node, equal constants one constant;
   ``infer_shapes`` (shape.py): values needed only for their shape are no longer computed;
2. ``constant_fold``: nodes whose inputs are all constants are computed now (with
   ``perform``) and become constants; ``fuse_crossentropy_softmax`` (nnet): the
   cross-entropy of a softmax and its gradient become the stable fused ops;
3. ``fuse_elemwise`` (fusion.py): chains and trees of elementwise nodes become one
   ``Composite`` node each;
   ``scan_save_mem`` (scan_save_mem.py): a loop output read only at its last row keeps two rows;
4. on a kernel device (cuda, emu) only:
   ``lift``: every node whose op has a device kernel moves to the device, with
   ``GpuFromHost`` on each of its inputs and ``HostFromGpu`` on each of its outputs;
   ``cut_transfers``: ``GpuFromHost(HostFromGpu(x))`` becomes ``x`` (and the reverse),
   so data stays on the device between device nodes; ``device_stand_ins`` (stand_in.py):
   a shape-only stand-in a device node reads is made on the device, not copied there;
   then ``merge`` again, which folds the transfers of one variable into one;
   ``gpu_elemwise`` (gpu_op.py) names the elementwise nodes on the device ``GpuElemwise{...}``.

5. ``inplace_elemwise`` (inplace.py), run by ``function`` once shared variables are placed:
   a fused elementwise node writes its output into an intermediate only it reads.

What is left on the host between device nodes is exactly the book's picture:
``HostFromGpu -> AXPBOp -> GpuFromHost`` for an op without a device implementation.
"""
from __future__ import annotations

from warpbench.errors import UnknownNameError
from warpbench.graph.basic import Constant
from warpbench.graph.fg import FunctionGraph
from warpbench.graph.fusion import fuse_elemwise
from warpbench.graph.gpu_op import gpu_elemwise
from warpbench.graph.op import device_kernel_of
from warpbench.graph.scan_save_mem import scan_save_mem
from warpbench.graph.shape import infer_shapes
from warpbench.graph.stand_in import device_stand_ins
from warpbench.graph.transfer import GpuFromHost, HostFromGpu, host_from_gpu, placement
from warpbench.graph.type import KERNEL_DEVICES


def merge(fg: FunctionGraph) -> int:
    """Replace each node equal to an earlier one (same op, same inputs) by that one."""
    constants: dict = {}
    seen: dict = {}

    def same_constant(var):
        if not isinstance(var, Constant):
            return var
        return constants.setdefault(var.signature(), var)

    def transform(node):
        node.inputs = [same_constant(v) for v in node.inputs]
        first = seen.setdefault((node.op, tuple(node.inputs)), node)
        return None if first is node else first.outputs

    return fg.rewrite(transform)


def constant_fold(fg: FunctionGraph) -> int:
    """Compute every node whose inputs are all constants; its outputs become constants."""
    from warpbench.graph.link import check_outputs_set, node_error

    def transform(node):
        if not node.op.do_constant_folding or not all(isinstance(v, Constant) for v in node.inputs):
            return None
        values = [v.data for v in node.inputs]
        cells = [[None] for _ in node.outputs]
        try:
            node.op.infer_shape(node, [v.shape for v in values])
            node.op.perform(node, values, cells)
            check_outputs_set(node, "perform", cells)
        except Exception as exc:
            raise node_error(node, None, values, exc) from None
        return [Constant(out.type, cell[0]) for out, cell in zip(node.outputs, cells)]

    return fg.rewrite(transform)


def lift(fg: FunctionGraph, device: str) -> int:
    """Move every node whose op has a kernel for it onto ``device``, transfers around it.

    0-d constants stay on the host (kernels take them as scalar arguments); inputs already
    on ``device`` stay as they are, and a node already there is left alone. The outputs of
    a lifted node come back through ``HostFromGpu``, so every consumer still sees host
    variables until ``cut_transfers`` joins device nodes directly.
    """
    def to_device(var):
        if (isinstance(var, Constant) and var.ndim == 0) or var.type.device == device:
            return var
        return GpuFromHost(device)(var)

    def transform(node):
        if placement(node) == device or device_kernel_of(node) is None:
            return None
        on_device = node.op.make_node(*map(to_device, node.inputs))
        on_device.trace = node.trace
        return [host_from_gpu(out) if out.type.device is not None else out for out in on_device.outputs]

    return fg.rewrite(transform)


def cut_transfers(fg: FunctionGraph) -> int:
    """``GpuFromHost(HostFromGpu(x)) -> x`` and ``HostFromGpu(GpuFromHost(x)) -> x``."""
    inverse = {GpuFromHost: HostFromGpu, HostFromGpu: GpuFromHost}

    def transform(node):
        source = node.inputs[0].owner if node.inputs else None
        undone = type(node.op) in inverse and source is not None and isinstance(source.op, inverse[type(node.op)])
        if undone and source.inputs[0].type == node.outputs[0].type:
            return [source.inputs[0]]
        return None

    return fg.rewrite(transform)


#: Rewrites ``function(..., excluding=...)`` can switch off, as PyTensor's ``mode.excluding``.
#: ``inplace`` (inplace.py) runs last, once shared variables are placed (function.py).
OPTIONAL_REWRITES = ("fusion", "inplace", "scan_save_mem")


def optimize(fg: FunctionGraph, device: str, excluding: tuple[str, ...] = ()) -> FunctionGraph:
    """Run the rewrites for ``device`` ("cpu", "emu", "cuda") on ``fg``, in place; return it.
    ``excluding`` names optional rewrites to skip (``"fusion"``: one node per elementwise op)."""
    unknown = sorted(set(excluding) - set(OPTIONAL_REWRITES))
    if unknown:
        raise UnknownNameError(f"cannot exclude rewrite {', '.join(unknown)} "
                               f"(optional rewrites: {', '.join(OPTIONAL_REWRITES)})")
    merge(fg)
    infer_shapes(fg)
    constant_fold(fg)
    merge(fg)
    from warpbench.graph.nnet.crossentropy_softmax import fuse_crossentropy_softmax  # nnet builds on this module
    fuse_crossentropy_softmax(fg)
    if "fusion" not in excluding:
        fuse_elemwise(fg)
    if "scan_save_mem" not in excluding:
        scan_save_mem(fg)
    if device in KERNEL_DEVICES:
        lift(fg, device)
        cut_transfers(fg)
        device_stand_ins(fg)
        merge(fg)
        gpu_elemwise(fg, device)
    return fg
