"""Shared checks of the tensor-op tests: a ``device`` fixture (cpu, and emu when it is built),
the agreement of an op's forward values and gradients between cpu and emu in float32, and
where a node runs in an emu graph (on the device, with no transfer around it).

Float32 tolerances: values and gradients agree to rtol 1e-5 and atol 1e-5 (the kernels sum
in a different order than NumPy; elementwise kernels compute the same C as the host).
"""
import numpy as np
import pytest

from warpbench.graph import function, grad, tensor
from warpbench.graph.transfer import GpuFromHost, HostFromGpu, placement

F32_RTOL = F32_ATOL = 1e-5


@pytest.fixture(params=["cpu", "emu"])
def device(request):
    """Each device a graph test runs on; emu skips (with the reason) where it is not built."""
    if request.param == "emu":
        request.getfixturevalue("emu")
    return request.param


def values_and_gradients(build, points, device: str) -> list:
    """``build(*inputs)`` at ``points`` and the gradient of a fixed weighted sum of it w.r.t.
    every input, computed on ``device``."""
    inputs = [tensor(f"i{k}", p.dtype, p.ndim) for k, p in enumerate(points)]
    out = build(*inputs)
    shape = np.shape(function(inputs, out, device="cpu")(*points))
    weights = np.random.default_rng(1).uniform(0.5, 1.5, shape).astype(out.dtype)
    cost = (out * weights).sum()
    return function(inputs, [out] + grad(cost, inputs), device=device)(*points)


def assert_cpu_and_emu_agree(build, points) -> None:
    """Forward and gradients of ``build`` at the float32 ``points`` agree between cpu and emu."""
    points = [np.asarray(p, np.float32) for p in points]
    on_cpu = values_and_gradients(build, points, "cpu")
    on_emu = values_and_gradients(build, points, "emu")
    for k, (want, got) in enumerate(zip(on_cpu, on_emu)):
        assert np.shape(got) == np.shape(want), f"output {k}"
        np.testing.assert_allclose(got, want, rtol=F32_RTOL, atol=F32_ATOL, err_msg=f"output {k}")


def assert_on_device(f, *op_types) -> list:
    """``f`` (compiled for emu) holds nodes of ``op_types``, and each runs on emu with no
    transfer around it: it reads no value a GpuFromHost brought from a host node (only the
    function's inputs come that way), and its outputs reach the host only as the function's
    outputs. Returns those nodes."""
    order = f.fgraph.toposort()
    found = [node for node in order if isinstance(node.op, op_types)]
    assert found, f"no {' / '.join(t.__name__ for t in op_types)} node in {[str(n) for n in order]}"
    for node in found:
        assert placement(node) == "emu", f"{node} runs on {placement(node)}"
        for var in node.inputs:
            if var.owner is not None and isinstance(var.owner.op, GpuFromHost):
                assert var.owner.inputs[0].owner is None, f"{node} reads {var.owner.inputs[0]} from the host"
        for reader in order:
            if isinstance(reader.op, HostFromGpu) and reader.inputs[0] in node.outputs:
                assert reader.outputs[0] in f.fgraph.outputs, f"{node} hands {reader.inputs[0]} to the host"
    return found
