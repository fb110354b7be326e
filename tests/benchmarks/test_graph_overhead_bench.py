"""The graph executor's per-call overhead on cpu, next to PyTensor's C VM and plain NumPy.

Tiny arrays (10 float32), so the time is the linker's, not the arithmetic's:
- ``2 nodes``: ``x * 2 + 1``, one call of the compiled function;
- ``chain N``: N elementwise nodes in a row (alternately ``* c`` and ``+ c``); the cost of a
  node is the slope between two chain lengths;
- ``kernel launch on emu``: what a device node pays on the host per launch (axpb on 10
  elements): a prepared launch (a graph node called again) against one checked in full,
  with the emulated kernel's own time in ``extra_info`` to subtract.

PyTensor (a benchmark-only dependency; skipped without it) runs its C VM ("cvm" linker)
with elementwise fusion excluded, so that its graph has as many nodes as ours, and
``trust_input`` off, so that it checks its arguments as ours does. Every case checks its
result, so under ``--benchmark-disable`` this is a plain test.
"""
import numpy as np
import pytest

from warpbench.graph import function, vector

SIZE = 10
CHAIN = [1, 8, 32]
IMPLEMENTATIONS = ["warpbench", "pytensor-cvm", "numpy"]


def _chain(x, n: int):
    """x, then n nodes alternately multiplying by 1.5 and adding 1 (works on NumPy arrays and variables)."""
    for i in range(n):
        x = x * np.float32(1.5) if i % 2 == 0 else x + np.float32(1.0)
    return x


def _two_nodes(x):
    return x * np.float32(2.0) + np.float32(1.0)


def _compile(impl: str, graph):
    """A function of one float32 vector computing ``graph(x)`` with ``impl``."""
    if impl == "warpbench":
        x = vector("x", dtype="float32")
        return function([x], graph(x), device="cpu", excluding=("fusion",))
    if impl == "numpy":
        return graph
    pytensor = pytest.importorskip("pytensor", reason="PyTensor is a benchmark-only comparison")
    import pytensor.tensor as pt
    from pytensor.compile.mode import Mode
    x = pt.vector("x", dtype="float32")
    f = pytensor.function([x], graph(x), mode=Mode(linker="cvm", optimizer="fast_run").excluding("fusion"))
    assert type(f.vm).__name__ == "CVM", f"PyTensor linked {type(f.vm).__name__}, not its C VM"
    return f


@pytest.fixture
def value():
    return np.linspace(-1, 1, SIZE, dtype=np.float32)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_two_node_graph(benchmark, impl, value):
    f = _compile(impl, _two_nodes)
    f(value)  # PyTensor allocates its outputs on the first call
    benchmark.group = f"graph overhead: x * 2 + 1, {SIZE} float32"
    result = benchmark(f, value)
    np.testing.assert_allclose(result, _two_nodes(value), rtol=1e-6)


@pytest.mark.parametrize("n", CHAIN)
@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_chain_of_nodes(benchmark, impl, n, value):
    f = _compile(impl, lambda x: _chain(x, n))
    f(value)
    benchmark.group = f"graph overhead: chain of {n} elementwise nodes, {SIZE} float32"
    benchmark.extra_info["nodes"] = n
    result = benchmark(f, value)
    np.testing.assert_allclose(result, _chain(value, n), rtol=1e-5)


def test_the_chain_has_one_node_per_operation():
    x = vector("x", dtype="float32")
    assert len(function([x], _chain(x, 8), device="cpu", excluding=("fusion",)).vm.steps) == 8


@pytest.mark.parametrize("launch", ["prepared", "checked"])
def test_kernel_launch_on_emu(benchmark, emu, launch):
    kernel = emu.compile("axpb_f32")
    problem = {"n": SIZE, "dtype": "float32", "a": 4.0, "b": 5.0}
    x = emu.to_device(np.arange(SIZE, dtype=np.float32))
    buffers = {"x": x, "z": emu.empty((SIZE,), np.float32)}
    lau = kernel.geometry(problem)
    args = [buffers[p.name] if p.is_pointer else problem[p.name] for p in kernel.spec.workload.params]

    def prepared():
        kernel.launch_problem(problem, buffers)

    def checked():
        kernel(*args, grid=lau.grid, block=lau.block, shared=lau.shared)

    benchmark.group = f"graph overhead: one kernel launch on emu, axpb {SIZE} float32"
    benchmark(prepared if launch == "prepared" else checked)
    np.testing.assert_array_equal(buffers["z"].get(), 4 * np.arange(SIZE) + 5)
    packed = kernel.pack_args(args)
    emulated = [kernel.function.launch(tuple(packed), grid=lau.grid, block=lau.block).seconds for _ in range(20)]
    benchmark.extra_info["emulated_kernel_seconds_median"] = float(np.median(emulated))
