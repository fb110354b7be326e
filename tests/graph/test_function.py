"""function(): argument checks, results, devices, updates, profile."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph import AXPBOp, function, matrix, scalar, shared, vector


def test_returns_numpy_arrays_single_or_list():
    x = vector("x")
    f = function([x], x * 2, device="cpu")
    g = function([x], [x * 2, x + 1], device="cpu")
    assert isinstance(f([1.0]), np.ndarray)
    double, plus = g([1.0, 2.0])
    np.testing.assert_array_equal(double, [2, 4])
    np.testing.assert_array_equal(plus, [2, 3])


def test_wrong_number_of_inputs():
    x, y = vector("x"), vector("y")
    f = function([x, y], x + y, device="cpu")
    with pytest.raises(WarpbenchError, match=r"^function: takes 2 input\(s\) \(x, y\), got 1$"):
        f([1.0])


def test_wrong_dtype_names_the_input_and_value():
    x, y = vector("x"), vector("y")
    f = function([x, y], x + y, device="cpu", name="f")
    with pytest.raises(DTypeError) as info:
        f(np.zeros(2, np.float32), np.zeros(2, np.float64))
    assert str(info.value) == ("f: input 1 (y) needs a float32 vector, got float64 array of shape 2 "
                               "(casting would lose precision)")


def test_wrong_ndim_names_the_input_and_value():
    x = matrix("x")
    f = function([x], x.T, device="cpu")
    with pytest.raises(ShapeError, match=r"^function: input 0 \(x\) needs a float32 matrix \(2-D\), "
                                         r"got float32 array of shape 2x3x4$"):
        f(np.zeros((2, 3, 4), np.float32))


def test_shape_mismatch_inside_a_node():
    x, y = vector("x"), vector("y")
    f = function([x, y], (x * 2) + y, device="cpu")  # one fused node
    with pytest.raises(ShapeError) as info:
        f(np.zeros(3, np.float32), np.zeros(4, np.float32))
    message = str(info.value)
    assert message.startswith("Composite{((i0 * i1) + i2)}(x, TensorConstant{2.0}, y) [toposort index 0, "
                              "on cpu, built at test_function.py:")
    assert "cannot broadcast input shapes 3, scalar, 4" in message
    assert "inputs: x float32 array of shape 3, TensorConstant{2.0} float32 scalar 2.0, y float32 array of " \
           "shape 4" in message
    assert "\n" not in message


def test_inputs_must_be_free_variables():
    x = vector("x")
    with pytest.raises(WarpbenchError, match="input 0 must be a free variable, got a shared"):
        function([shared(np.ones(2), "w")], x, device="cpu")
    with pytest.raises(WarpbenchError, match="input 1 \\(x\\) is given twice"):
        function([x, x], x, device="cpu")


def test_missing_input():
    x, y = vector("x"), vector("y")
    with pytest.raises(WarpbenchError, match=r"depend on y \(TensorType\(float32, vector\)\), which is not "
                                             r"among the inputs \(x\)"):
        function([x], x + y, device="cpu")


def test_inputs_can_be_intermediate_variables():
    x = vector("x")
    h = x * 2
    f = function([h], h + 1, device="cpu")  # the graph above h is not needed
    np.testing.assert_array_equal(f([1.0, 2.0]), [2, 3])


def test_results_never_alias_inputs_or_each_other():
    x = vector("x")
    f = function([x], [x, x * 2, x * 2], device="cpu")
    a = np.ones(2, np.float32)
    same, double, again = f(a)
    assert same is not a and not np.shares_memory(double, again)


def test_intermediates_are_released():
    x = vector("x")
    f = function([x], (x * 2 + 1) * 3, device="cpu")
    f([1.0])
    assert all(cell[0] is None for var, cell in f.vm.storage.items() if var.owner is not None)


def test_default_device_is_the_runtime_default(monkeypatch):
    import warpbench.runtime as runtime
    monkeypatch.setattr(runtime, "default_device_kind", lambda: "cpu")
    x = vector("x")
    assert function([x], x * 2).device.kind == "cpu"


def test_shared_updates():
    w = shared(np.zeros(3, np.float32), "w")
    lr = scalar("lr")
    step = function([lr], w.sum(), updates=[(w, w + lr)], device="cpu")
    assert step(1.0) == 0
    assert step(0.5) == 3
    np.testing.assert_array_equal(w.get_value(), [1.5, 1.5, 1.5])
    w.set_value(np.full(3, 10, np.float32))
    assert step(0.0) == 30


def test_update_output_is_not_the_returned_array():
    w = shared(np.zeros(2), "w")
    f = function([], w + 1, updates={w: w + 1}, device="cpu")
    out = f()
    out[0] = 99
    np.testing.assert_array_equal(w.get_value(), [1, 1])


def test_update_type_must_match():
    w = shared(np.zeros(3, np.float32), "w")
    with pytest.raises(DTypeError, match=r"update of w \(TensorType\(float32, vector\)\) has type "
                                         r"TensorType\(float32, matrix\)"):
        function([], [], updates=[(w, matrix("m"))], device="cpu")
    with pytest.raises(WarpbenchError, match="updates must assign shared variables"):
        function([], [], updates=[(vector("v"), w)], device="cpu")


def test_profile_excludes_the_first_call():
    x = vector("x")
    f = function([x], AXPBOp(4, 5)(x) * 2, device="cpu", profile=True)
    f([1.0])
    assert f.profile.first_call_seconds > 0 and f.profile.calls == 0 and f.profile.node_calls == [0, 0]
    f([2.0]), f([3.0, 4.0])
    assert f.profile.calls == 2 and f.profile.node_calls == [2, 2]
    assert all(s > 0 for s in f.profile.node_seconds) and f.profile.call_seconds >= f.profile.node_total
    assert [c.name for c in sorted(f.profile.by_class(), key=lambda c: c.name)] == ["AXPBOp", "Mul"]


def test_profile_is_none_without_profile():
    assert function([vector("x")], [], device="cpu", on_unused_input="ignore").profile is None


def test_profile_counts_transfer_bytes_on_emu(emu):
    x = vector("x")
    f = function([x], AXPBOp(4, 5)(x), device="emu", profile=True)
    for _ in range(3):
        f(np.zeros(10, np.float32))
    assert f.profile.transfer_bytes == [80, 0, 80]
    transfers = {c.name: c.transfer_bytes for c in f.profile.by_class()}
    assert transfers == {"GpuFromHost": 80, "AXPBOp": 0, "HostFromGpu": 80}
