"""GpuFromHost / HostFromGpu: types, printing, placement, and a round trip on the emulator."""
import numpy as np
import pytest

from warpbench.errors import DTypeError
from warpbench.graph import GpuArrayType, GpuFromHost, HostFromGpu, TensorType, function, matrix, placement


def test_types_and_strings():
    x = matrix("x")
    up = GpuFromHost("emu")(x)
    assert up.type == GpuArrayType("float32", 2, "emu")
    down = HostFromGpu()(up)
    assert down.type == TensorType("float32", 2)
    assert str(up.owner.op) == "GpuFromHost<emu>" and str(down.owner.op) == "HostFromGpu"
    assert GpuFromHost("emu") == GpuFromHost("emu") != GpuFromHost("cuda")


def test_placement():
    x = matrix("x")
    up = GpuFromHost("emu")(x)
    assert placement(up.owner) == "cpu->emu"
    assert placement(HostFromGpu()(up).owner) == "emu->cpu"
    assert placement((x * 2).owner) == "cpu"
    on_device = (x * 2).owner.op.make_node(up, 2.0)
    assert placement(on_device) == "emu"


def test_make_node_refuses_the_wrong_side():
    x = matrix("x")
    with pytest.raises(DTypeError, match="GpuFromHost<emu>: .* is already on emu"):
        GpuFromHost("emu")(GpuFromHost("emu")(x))
    with pytest.raises(DTypeError, match="HostFromGpu: x is not on a device"):
        HostFromGpu()(x)


def test_transfers_never_fold():
    assert not GpuFromHost("emu").do_constant_folding and not HostFromGpu().do_constant_folding


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (0, 4)], ids=str)
def test_round_trip_on_emu(emu, shape):
    # Compiled for "cpu" so that cut_transfers (a kernel-device rewrite) keeps the pair.
    x = matrix("x")
    f = function([x], HostFromGpu()(GpuFromHost("emu")(x)), device="cpu")
    assert [str(n.op) for n in f.fgraph.toposort()] == ["GpuFromHost<emu>", "HostFromGpu"]
    a = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    got = f(a)
    assert isinstance(got, np.ndarray) and got.dtype == np.float32
    np.testing.assert_array_equal(got, a)
