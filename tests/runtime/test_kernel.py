"""Prepared launches: the first launch for a problem is checked in full, later ones only place the arrays."""
import numpy as np
import pytest

from warpbench.errors import DTypeError
from warpbench.runtime import launch as launch_module
from warpbench.runtime import kernel as kernel_module


@pytest.fixture
def axpb(emu):
    kernel = emu.compile("axpb_f32")
    x = emu.to_device(np.arange(5, dtype=np.float32))
    return kernel, {"n": 5, "dtype": "float32", "a": 2.0, "b": 1.0}, x


def test_a_problem_is_checked_once_then_launched_prepared(axpb, emu, monkeypatch):
    kernel, problem, x = axpb
    validations = []
    real = launch_module.validate_launch
    monkeypatch.setattr(kernel_module, "validate_launch", lambda *a, **k: validations.append(a[0]) or real(*a, **k))
    for step in range(3):
        z = emu.empty((5,), np.float32)
        lau = kernel.launch_problem(problem, {"x": x, "z": z})
        np.testing.assert_array_equal(z.get(), 2 * np.arange(5) + 1)
    assert validations == ["axpb_f32"] and lau == kernel.geometry(problem)
    other = dict(problem, a=3.0)  # another problem is prepared anew
    kernel.launch_problem(other, {"x": x, "z": z})
    np.testing.assert_array_equal(z.get(), 3 * np.arange(5) + 1)
    assert validations == ["axpb_f32", "axpb_f32"]


def test_a_prepared_launch_still_checks_the_arrays(axpb, emu):
    kernel, problem, x = axpb
    wrong = {"x": x, "z": emu.empty((5,), np.float64)}
    with pytest.raises(DTypeError) as unprepared:
        emu.compile("axpb_f32").launch_problem(problem, wrong)
    kernel.launch_problem(problem, {"x": x, "z": emu.empty((5,), np.float32)})
    with pytest.raises(DTypeError) as prepared:
        kernel.launch_problem(problem, wrong)
    assert str(prepared.value) == str(unprepared.value) == "axpb_f32: dtype float64 not supported (float32)"


def test_prepared_launches_are_bounded(axpb, emu, monkeypatch):
    kernel, problem, x = axpb
    monkeypatch.setattr(type(kernel), "PREPARED", 2)
    for b in range(4):
        kernel.launch_problem(dict(problem, b=float(b)), {"x": x, "z": emu.empty((5,), np.float32)})
    assert [dict(key)["b"] for key in kernel._prepared] == [2.0, 3.0]
