"""TensorType / GpuArrayType: printing, equality, and the runtime value check ``filter``."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph import Constant, GpuArrayType, TensorType, constant, vector
from warpbench.graph.type import common_device


def test_types_print_and_compare():
    assert str(TensorType("float32", 2)) == "TensorType(float32, matrix)"
    assert str(TensorType("float64", 4)) == "TensorType(float64, 4D)"
    assert str(GpuArrayType("float32", 1, "emu")) == "GpuArrayType<emu>(float32, vector)"
    assert TensorType("float32", 2) == TensorType(np.float32, 2)
    assert hash(TensorType("float32", 2)) == hash(TensorType(np.float32, 2))
    assert TensorType("float32", 2) != GpuArrayType("float32", 2, "emu")
    assert GpuArrayType("float32", 2, "emu") != GpuArrayType("float32", 2, "cuda")


def test_filter_accepts_exact_and_safe_values():
    t = TensorType("float64", 1)
    exact = np.arange(3.0)
    assert t.filter(exact) is exact
    assert t.filter(np.arange(3, dtype=np.int32)).dtype == np.float64
    assert TensorType("float32", 0).filter(0.1).dtype == np.float32  # Python numbers have no precision
    assert TensorType("int32", 1).filter([1, 2]).dtype == np.int32


@pytest.mark.parametrize("value, error, words", [
    (np.zeros(3, np.float64), DTypeError, ["float32 vector", "float64 array of shape 3", "lose precision"]),
    (np.zeros((2, 3), np.float32), ShapeError, ["float32 vector (1-D)", "float32 array of shape 2x3"]),
    ([[1.0], [2.0, 3.0]], DTypeError, ["float32 vector", "list"]),
    ("abc", DTypeError, ["str 'abc'"]),
])
def test_filter_errors_name_the_values(value, error, words):
    with pytest.raises(error) as info:
        TensorType("float32", 1).filter(value)
    for word in words:
        assert word in str(info.value)


def test_filter_refuses_inexact_integer_conversion():
    with pytest.raises(DTypeError, match="int32"):
        TensorType("int32", 0).filter(2.5)


def test_gpu_type_filter_wants_a_device_array():
    with pytest.raises(DTypeError, match="on emu"):
        GpuArrayType("float32", 1, "emu").filter(np.zeros(3, np.float32))


def test_common_device():
    x = vector("x")
    on_emu = GpuArrayType("float32", 1, "emu")("g")
    on_cuda = GpuArrayType("float32", 1, "cuda")("h")
    c = constant(2.0)
    assert isinstance(c, Constant)
    assert common_device([x, c]) is None
    assert common_device([on_emu, c]) == "emu"  # constants stay on the host
    with pytest.raises(DTypeError, match="different devices"):
        common_device([on_emu, on_cuda])
    with pytest.raises(DTypeError, match="mix host and emu"):
        common_device([on_emu, x])
