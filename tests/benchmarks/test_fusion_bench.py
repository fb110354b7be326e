"""Fusion on the host: a 10-op elementwise chain on 2^20 float32, one generated C loop
against the same chain unfused (one NumPy call per op, warpbench's nodes or plain NumPy).

- ``fused C``: ``function(..., device="cpu")``: the chain is one Composite node, its C loop;
- ``unfused graph``: ``excluding=("fusion",)``: ten nodes, each a NumPy call;
- ``numpy``: the expression on NumPy arrays.

Every case checks its result, so under ``--benchmark-disable`` this is a plain test.
"""
import numpy as np
import pytest

from warpbench.graph import Composite, function, vector
from warpbench.graph.c_op import CThunk

SIZE = 2 ** 20
IMPLEMENTATIONS = ["fused C", "unfused graph", "numpy"]


def _chain(x, y):
    """Ten ops: five times ``* y + k`` (works on NumPy arrays and on variables)."""
    for k in range(5):
        x = x * y + np.float32(k + 1)
    return x


def _compile(impl: str):
    if impl == "numpy":
        return _chain
    x, y = vector("x", "float32"), vector("y", "float32")
    f = function([x, y], _chain(x, y), device="cpu", excluding=() if impl == "fused C" else ("fusion",))
    composites = [s for s in f.vm.steps if isinstance(s.node.op, Composite)]
    if impl == "fused C":
        assert len(f.vm.steps) == 1 and isinstance(composites[0].run, CThunk)
    else:
        assert len(f.vm.steps) == 10 and not composites
    return f


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_ten_op_chain(benchmark, impl):
    rng = np.random.default_rng(0)
    x, y = (rng.uniform(-1, 1, SIZE).astype(np.float32) for _ in range(2))
    f = _compile(impl)
    f(x, y)
    benchmark.group = "fusion on cpu: 10-op chain, 2^20 float32"
    result = benchmark(f, x, y)
    np.testing.assert_allclose(result, _chain(x, y), rtol=1e-5, atol=1e-6)
