"""Helpers of the nnet op tests: forward and gradient on cpu against emu."""
import numpy as np

from warpbench.graph import constant, function, grad, tensor

#: float32 tolerance between the host code / NumPy (cpu) and the kernels (emu): sums of a few
#: hundred terms in a different order.
RTOL32, ATOL32 = 1e-4, 1e-5


def forward_and_grads(fn, points, device, seed=0):
    """[fn(points), d sum(fn * P) / d each float point] on ``device``, P fixed by ``seed``."""
    inputs = [tensor(f"input{i}", p.dtype, p.ndim) for i, p in enumerate(points)]
    out = fn(*inputs)
    shape = np.shape(function(inputs, out, device="cpu")(*points))
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, shape)
    cost = (out * constant(weights, out.dtype)).sum()
    wrt = [v for v, p in zip(inputs, points) if p.dtype.kind == "f"]
    return function(inputs, [out] + grad(cost, wrt), device=device)(*points)


def assert_cpu_emu_agree(fn, points, rtol=RTOL32, atol=ATOL32):
    """Forward and gradients of ``fn`` at ``points`` agree between cpu and emu."""
    cpu = forward_and_grads(fn, points, "cpu")
    emu = forward_and_grads(fn, points, "emu")
    for index, (a, b) in enumerate(zip(cpu, emu)):
        assert a.shape == b.shape and a.dtype == b.dtype, (index, a.shape, b.shape, a.dtype, b.dtype)
        np.testing.assert_allclose(b, a, rtol=rtol, atol=atol, err_msg=f"output {index} (0: forward)")
