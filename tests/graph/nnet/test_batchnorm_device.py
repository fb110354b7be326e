"""Batch normalization's device steps (statistics and gradient kernels) against the ops'
NumPy references at awkward shapes, every allocation poisoned with NaN, on the emulator."""
import numpy as np
import pytest

from warpbench.graph.nnet.batchnorm import BatchNormTrain, BatchNormTrainGrad
from warpbench.graph.nnet.batchnorm_device import train, train_grad
from warpbench.kernels.axis_reduce import spec_for

CASES = [((1, 1, 1, 1), (0, 2, 3)), ((3, 5, 1, 7), (0, 2, 3)), ((2, 3, 5, 2), (0, 2)), ((7, 3), (0,)),
         ((1, 13), (0,)), ((5, 2, 3), (0, 1, 2))]


def reference(op, inputs):
    cells = [[None] for _ in range(3 if isinstance(op, BatchNormTrainGrad) else 4)]
    op.perform(None, inputs, cells)
    return [cell[0] for cell in cells]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, axes", CASES, ids=[str(c) for c in CASES])
def test_statistics_and_gradient_match_the_references(emu, monkeypatch, shape, axes, dtype):
    allocate = emu.empty
    monkeypatch.setattr(emu, "empty", lambda s, d, fill=None: allocate(s, d, fill=np.nan if fill is None else fill))
    rng = np.random.default_rng(4)
    stats = tuple(1 if i in axes else n for i, n in enumerate(shape))
    x, dy = (rng.standard_normal(shape) * 2 + 1).astype(dtype), rng.standard_normal(shape).astype(dtype)
    gamma, beta = rng.uniform(0.5, 1.5, stats).astype(dtype), rng.standard_normal(stats).astype(dtype)
    kernel = emu.compile(spec_for("sum", dtype, len(shape), axes))
    on = [emu.to_device(v) for v in (x, gamma, beta)]
    rtol, atol = (1e-4, 1e-5) if dtype == "float32" else (1e-11, 1e-12)
    got = train(kernel, axes, 1e-3, *on)
    want = reference(BatchNormTrain(axes, 1e-3), [x, gamma, beta])
    for k, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g.get(), w, rtol=rtol, atol=atol, err_msg=f"output {k}")
    mean, invstd = want[1], want[2]
    got = train_grad(kernel, axes, on[0], emu.to_device(dy), on[1], emu.to_device(mean), emu.to_device(invstd))
    want = reference(BatchNormTrainGrad(axes), [x, dy, gamma, mean, invstd])
    for k, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g.get(), w, rtol=rtol, atol=atol, err_msg=f"gradient {k}")
