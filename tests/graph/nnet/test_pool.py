"""pool_2d: Theano's output extents, max and average with padding and partial windows,
gradients by finite differences on cpu and emu, cpu/emu agreement, errors."""
import numpy as np
import pytest

from warpbench.errors import ShapeError
from warpbench.graph import constant, function, pool_2d, tensor4, verify_grad
from warpbench.graph.nnet import AveragePoolGrad
from tests.graph.nnet.agree import assert_cpu_emu_agree

# (ws, ignore_border, stride, pad) on a 2x3x7x6 input: the library's square kernels, partial
# last windows, rectangular windows and strides with padding, overlapping windows.
CASES = [((2, 2), True, None, (0, 0)), ((2, 2), False, None, (0, 0)), ((3, 2), True, (2, 1), (1, 1)),
         ((3, 3), False, (2, 2), (0, 0)), ((2, 3), True, (1, 1), (0, 1))]
MODES = ["max", "average_exc_pad"]


def _input(dtype="float64", seed=0):
    # Distinct values: finite differences of a max are only defined away from ties.
    rng = np.random.default_rng(seed)
    return rng.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6).astype(dtype) / 10


def test_output_extents_follow_theano():
    x = tensor4("x")
    f = {ib: function([x], pool_2d(x, (3, 3), ignore_border=ib, stride=(2, 2)), device="cpu") for ib in (True, False)}
    data = np.zeros((1, 1, 8, 7), np.float32)
    assert f[True](data).shape == (1, 1, 3, 3)
    assert f[False](data).shape == (1, 1, 4, 3)


def test_average_excludes_padding():
    x = tensor4("x", "float64")
    f = function([x], pool_2d(x, (2, 2), stride=(1, 1), pad=(1, 1), mode="average_exc_pad"), device="cpu")
    data = np.arange(4.0).reshape(1, 1, 2, 2)
    np.testing.assert_allclose(f(data)[0, 0], [[0, 0.5, 1], [1, 1.5, 2], [2, 2.5, 3]])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ws,ignore_border,stride,pad", CASES, ids=str)
def test_verify_grad_on_cpu(mode, ws, ignore_border, stride, pad):
    verify_grad(lambda x: pool_2d(x, ws, ignore_border, stride, pad, mode), [_input()])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ws,ignore_border,stride,pad", CASES[1:3], ids=str)
def test_verify_grad_on_emu(emu, mode, ws, ignore_border, stride, pad):
    verify_grad(lambda x: pool_2d(x, ws, ignore_border, stride, pad, mode), [_input()[:1, :2]], device="emu")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ws,ignore_border,stride,pad", CASES, ids=str)
def test_forward_and_gradients_agree_between_cpu_and_emu(emu, mode, ws, ignore_border, stride, pad):
    assert_cpu_emu_agree(lambda x: pool_2d(x, ws, ignore_border, stride, pad, mode), [_input("float32")])


def test_average_pool_gradient_has_a_gradient():
    """The average's gradient is linear in g; its own gradient is an average pool."""
    image = constant(_input())
    op = AveragePoolGrad((3, 2), True, (2, 1), (1, 1), "average_exc_pad")
    verify_grad(lambda g: op(image, g), [np.random.default_rng(1).standard_normal((2, 3, 4, 7))])


def test_window_larger_than_the_input_names_the_node(emu):
    x = tensor4("x")
    f = function([x], pool_2d(x, (5, 5), pad=(1, 1)), device="emu")
    with pytest.raises(ShapeError) as info:
        f(np.zeros((1, 1, 2, 2), np.float32))
    message = str(info.value)
    assert message.startswith("Pool{ws=(5, 5), ignore_border=True, stride=(5, 5), pad=(1, 1), mode='max'}(")
    assert "window 5x5 is larger than the input plane 2x2 padded by 1x1" in message


def test_bad_arguments_are_refused_when_building():
    x = tensor4("x")
    with pytest.raises(ShapeError, match="pool_2d: mode must be one of max, average_exc_pad, got 'sum'"):
        pool_2d(x, (2, 2), mode="sum")
    with pytest.raises(ShapeError, match=r"pool_2d: padding \(2, 0\) must be smaller than the window \(2, 2\)"):
        pool_2d(x, (2, 2), pad=(2, 0))
    with pytest.raises(ShapeError, match="needs ignore_border=True"):
        pool_2d(x, (2, 2), ignore_border=False, pad=(1, 1))
    with pytest.raises(ShapeError, match="input must be a 4-D tensor"):
        pool_2d(x.sum(), (2, 2))
