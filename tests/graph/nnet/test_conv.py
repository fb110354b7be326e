"""conv2d: Theano's border modes, strides, dilations and filter flip against a loop reference,
gradients by finite differences on cpu and emu, second order, cpu/emu agreement, errors."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph import constant, conv2d, function, grad, tensor4, verify_grad
from tests.graph.nnet.agree import assert_cpu_emu_agree

# (border_mode, subsample, filter_dilation) on a 2x3x7x6 input and 4x3x3x2 filters.
GEOMETRIES = [("valid", (1, 1), (1, 1)), ("full", (2, 3), (1, 1)), ("half", (1, 2), (2, 1)),
              ((2, 1), (3, 1), (1, 2))]


def loop_conv(x, w, pad, stride, dilation):
    """The definition, one output element at a time."""
    (ph, pw), (sh, sw), (dh, dw) = pad, stride, dilation
    n, c, h, wd = x.shape
    k, _, r, s = w.shape
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    p, q = (h + 2 * ph - dh * (r - 1) - 1) // sh + 1, (wd + 2 * pw - dw * (s - 1) - 1) // sw + 1
    out = np.zeros((n, k, p, q))
    for i, j in np.ndindex(p, q):
        patch = padded[:, :, i * sh: i * sh + dh * (r - 1) + 1: dh, j * sw: j * sw + dw * (s - 1) + 1: dw]
        out[:, :, i, j] = np.tensordot(patch, w, axes=((1, 2, 3), (1, 2, 3)))
    return out


def conv(x, w, mode="valid", stride=(1, 1), dilation=(1, 1), flip=False):
    """conv2d by keywords; the cross-correlation unless ``flip``."""
    return conv2d(x, w, border_mode=mode, subsample=stride, filter_dilation=dilation, filter_flip=flip)


def _points(dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((2, 3, 7, 6)).astype(dtype), rng.standard_normal((4, 3, 3, 2)).astype(dtype)]


@pytest.mark.parametrize("mode,stride,dilation", GEOMETRIES, ids=str)
def test_forward_matches_the_definition_on_host_code_and_numpy(mode, stride, dilation):
    x, w = _points()
    (dh, dw), (r, s) = dilation, (3, 2)
    pads = {"valid": (0, 0), "full": (dh * (r - 1), dw * (s - 1)), "half": (dh * (r // 2), dw * (s // 2))}
    pad = pads.get(mode, mode)
    expected = loop_conv(x, w, pad, stride, dilation)
    a, b = tensor4("x", "float64"), tensor4("w", "float64")
    out = conv(a, b, mode, stride, dilation)
    np.testing.assert_allclose(function([a, b], out, device="cpu")(x, w), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(_numpy(out.owner.op, x, w), expected,
                               rtol=1e-12, atol=1e-12)


def test_filters_are_flipped_by_default_as_in_theano(emu):
    x, w = _points()
    expected = loop_conv(x, w[:, :, ::-1, ::-1], (1, 0), (2, 1), (1, 1))
    a, b = tensor4("x", "float64"), tensor4("w", "float64")
    for device in ("cpu", "emu"):
        got = function([a, b], conv2d(a, b, border_mode=(1, 0), subsample=(2, 1)), device=device)(x, w)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    verify_grad(lambda a, b: conv2d(a, b, border_mode="full"), _points(), device="emu")
    assert_cpu_emu_agree(lambda a, b: conv2d(a, b, border_mode="half"), _points("float32"))


def _numpy(op, x, w):
    storage = [[None]]
    op.perform(None, [x, w], storage)
    return storage[0][0]


@pytest.mark.parametrize("mode,stride,dilation", GEOMETRIES, ids=str)
def test_verify_grad_on_cpu(mode, stride, dilation):
    verify_grad(lambda x, w: conv(x, w, mode, stride, dilation), _points())


@pytest.mark.parametrize("mode,stride,dilation", GEOMETRIES[1:3], ids=str)
def test_verify_grad_on_emu(emu, mode, stride, dilation):
    rng = np.random.default_rng(1)
    points = [rng.standard_normal((1, 2, 5, 4)), rng.standard_normal((3, 2, 3, 2))]
    verify_grad(lambda x, w: conv(x, w, mode, stride, dilation), points, device="emu")


@pytest.mark.parametrize("mode,stride,dilation", GEOMETRIES, ids=str)
def test_forward_and_gradients_agree_between_cpu_and_emu(emu, mode, stride, dilation):
    assert_cpu_emu_agree(lambda x, w: conv(x, w, mode, stride, dilation), _points("float32"))


def test_second_order_gradients():
    """The three conv ops are bilinear, each one's gradient made of the other two: the gradient
    of a two-layer stack w.r.t. the first filters (or the input) is differentiated again."""
    rng = np.random.default_rng(2)
    x, w1, w2 = rng.standard_normal((1, 2, 5, 4)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal((2, 3, 2, 2))

    def stack(a, b, c):
        return conv(conv(a, b, "half", (2, 1)), c, (1, 0), flip=True).sum()

    first_filters = constant(w1)
    verify_grad(lambda a, c: grad(stack(a, first_filters, c), first_filters), [x, w2])
    image = constant(x)
    verify_grad(lambda b, c: grad(stack(image, b, c), image), [w1, w2])


def test_mismatched_channels_name_the_node():
    x, w = tensor4("x"), tensor4("w")
    f = function([x, w], conv(x, w), device="cpu")
    with pytest.raises(ShapeError) as info:
        f(np.zeros((2, 3, 5, 5), np.float32), np.zeros((4, 2, 3, 3), np.float32))
    message = str(info.value)
    assert message.startswith("Conv2d{border_mode='valid', subsample=(1, 1), filter_dilation=(1, 1)}(x, w) [")
    assert "input is 2x3x5x5 (N, C, H, W) but filters are 4x2x3x3 (K, C, R, S): channels 3 != 2" in message
    assert "\n" not in message


def test_filters_larger_than_the_input_name_the_node(emu):
    x, w = tensor4("x"), tensor4("w")
    f = function([x, w], conv(x, w, stride=2), device="emu")
    with pytest.raises(ShapeError, match=r"Conv2d\{.*\}\(GpuFromHost<emu>.0, GpuFromHost<emu>.0\) \[.*on emu.*\]: "
                                         r"conv2d: 7x7 kernel \(dilation 1x1\) is larger than the 5x5 input padded"):
        f(np.zeros((1, 1, 5, 5), np.float32), np.zeros((1, 1, 7, 7), np.float32))


def test_bad_arguments_are_refused_when_building():
    x = tensor4("x")
    with pytest.raises(ShapeError, match="conv2d: border_mode must be one of valid, full, half or"):
        conv2d(x, tensor4("w"), border_mode="same")
    with pytest.raises(ShapeError, match=r"conv2d: subsample must be an int or a pair of ints >= 1, got \(0, 1\)"):
        conv2d(x, tensor4("w"), subsample=(0, 1))
    with pytest.raises(ShapeError, match=r"FlipFilters: filters must be a 4-D float tensor \(K, C, R, S\)"):
        conv2d(x, tensor4("w").sum())
    with pytest.raises(ShapeError, match="Conv2d.*: filters must be a 4-D tensor"):
        conv2d(x, tensor4("w").sum(), filter_flip=False)
    with pytest.raises(ShapeError, match="conv2d: filter_shape must have 4 entries"):
        conv2d(x, tensor4("w"), filter_shape=(3, 3))
    with pytest.raises(WarpbenchError, match=r"conv2d: grouped \(num_groups=2\) .* are not supported"):
        conv2d(x, tensor4("w"), num_groups=2)
    with pytest.raises(DTypeError, match="inputs must share one dtype"):
        conv2d(x, tensor4("w", "float64"))
