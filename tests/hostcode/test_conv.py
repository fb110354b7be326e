"""hostcode.conv (im2col + BLAS GEMM) against a direct NumPy convolution of the padded input."""
import numpy as np
import pytest

from warpbench.errors import DTypeError, ShapeError
from warpbench.hostcode import conv

TOL = {np.float32: dict(rtol=1e-4, atol=1e-4), np.float64: dict(rtol=1e-12, atol=1e-12)}
# (N, C, H, W, K, R, S), stride, padding, dilation
CASES = [
    ((1, 1, 1, 1, 1, 1, 1), 1, 0, 1),
    ((2, 3, 7, 9, 4, 3, 3), 1, 0, 1),
    ((2, 3, 7, 9, 4, 3, 3), 1, 1, 1),
    ((2, 3, 7, 9, 4, 3, 3), 2, 1, 1),
    ((1, 2, 13, 7, 5, 5, 3), (3, 2), (2, 1), 1),
    ((1, 2, 13, 11, 3, 3, 3), 1, 2, 2),
    ((2, 2, 13, 11, 3, 3, 2), (2, 3), (0, 3), (2, 1)),
    ((3, 4, 5, 5, 6, 1, 1), 1, 0, 1),
    ((2, 4, 5, 6, 6, 1, 1), 2, 1, 1),
    ((1, 1, 31, 1, 2, 7, 1), 1, (3, 0), 1),
    ((1, 3, 4, 4, 2, 5, 5), 1, 2, 1),
    ((2, 6, 28, 28, 5, 5, 5), 1, 0, 1),
]


def as_pair(v):
    return (v, v) if isinstance(v, int) else v


def padded(x, ph, pw):
    return np.pad(x.astype(np.float64), [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)])


def patches(xp, r, s, sh, sw, dh, dw, p, q):
    """xp[..., p*sh + r*dh, q*sw + s*dw] over all (p, q)."""
    return xp[..., r * dh: r * dh + sh * (p - 1) + 1: sh, s * dw: s * dw + sw * (q - 1) + 1: sw]


def conv_ref(x, w, b, stride, padding, dilation, relu):
    (sh, sw), (ph, pw), (dh, dw) = map(as_pair, (stride, padding, dilation))
    n, c, h, wd = x.shape
    k, _, r_, s_ = w.shape
    p = (h + 2 * ph - dh * (r_ - 1) - 1) // sh + 1
    q = (wd + 2 * pw - dw * (s_ - 1) - 1) // sw + 1
    xp = padded(x, ph, pw)
    out = np.zeros((n, k, p, q))
    for r in range(r_):
        for s in range(s_):
            out += np.einsum("ncpq,kc->nkpq", patches(xp, r, s, sh, sw, dh, dw, p, q),
                             w[:, :, r, s])
    if b is not None:
        out += b[None, :, None, None]
    return np.maximum(out, 0) if relu else out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dims_,stride,padding,dilation", CASES)
@pytest.mark.parametrize("bias,relu", [(False, False), (True, False), (False, True), (True, True)])
def test_conv2d(dims_, stride, padding, dilation, bias, relu, dtype):
    n, c, h, wd, k, r, s = dims_
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, wd)).astype(dtype)
    w = rng.standard_normal((k, c, r, s)).astype(dtype)
    b = rng.standard_normal(k).astype(dtype) if bias else None
    ref = conv_ref(x, w, b, stride, padding, dilation, relu)
    out = np.full(ref.shape, np.nan, dtype)
    got = conv.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, relu=relu,
                      out=out)
    assert got is out
    np.testing.assert_allclose(out, ref, **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dims_,stride,padding,dilation", CASES)
def test_im2col(dims_, stride, padding, dilation, dtype):
    _, c, h, wd, _, r_, s_ = dims_
    x = np.random.default_rng(0).standard_normal((c, h, wd)).astype(dtype)
    (sh, sw), (ph, pw), (dh, dw) = map(as_pair, (stride, padding, dilation))
    p = (h + 2 * ph - dh * (r_ - 1) - 1) // sh + 1
    q = (wd + 2 * pw - dw * (s_ - 1) - 1) // sw + 1
    xp = padded(x, ph, pw)
    ref = np.stack([patches(xp, r, s, sh, sw, dh, dw, p, q)
                    for r in range(r_) for s in range(s_)], axis=1)  # (C, R*S, P, Q)
    out = np.full((c * r_ * s_, p * q), np.nan, dtype)
    assert conv.im2col(x, (r_, s_), stride, padding, dilation, out=out) is out
    np.testing.assert_array_equal(out, ref.reshape(c * r_ * s_, p * q))


def test_non_contiguous_input():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 9, 9))
    w = rng.standard_normal((3, 5, 3, 3))
    xs = x[:, ::2, :, ::-1]
    np.testing.assert_allclose(conv.conv2d(xs, w[:, ::2], padding=1),
                               conv_ref(xs, w[:, ::2], None, 1, 1, 1, False), **TOL[np.float64])


def test_errors():
    x, w = np.zeros((1, 3, 5, 5)), np.zeros((2, 4, 3, 3))
    msg = (r"^conv2d: x \(N, C, H, W\) is 1x3x5x5 but w \(K, C, R, S\) is 2x4x3x3 "
           r"\(channels 3 != 4\)$")
    with pytest.raises(ShapeError, match=msg):
        conv.conv2d(x, w)
    msg = (r"conv2d: kernel 7x3 \(dilated extent 7x3\) is larger than the padded input 5x5 "
           r"\(P=-1, Q=3\)")
    with pytest.raises(ShapeError, match=msg):
        conv.conv2d(x, np.zeros((2, 3, 7, 3)))
    msg = r"kernel 3x3 \(dilated extent 5x5\) is larger than the padded input 4x4"
    with pytest.raises(ShapeError, match=msg):
        conv.conv2d(np.zeros((1, 3, 2, 2)), np.zeros((2, 3, 3, 3)), padding=1, dilation=2)
    with pytest.raises(ShapeError, match="conv2d: bias has length 3 but w has 2 filters"):
        conv.conv2d(x, np.zeros((2, 3, 3, 3)), np.zeros(3))
    with pytest.raises(ShapeError, match=r"conv2d: stride must be >= 1, got \(1, 0\)"):
        conv.conv2d(x, np.zeros((2, 3, 3, 3)), stride=(1, 0))
    with pytest.raises(ShapeError, match=("conv2d: padding must be an int or a pair of ints, got "
                                          "1.5")):
        conv.conv2d(x, np.zeros((2, 3, 3, 3)), padding=1.5)
    with pytest.raises(DTypeError, match="conv2d: w dtype float32 does not match"):
        conv.conv2d(x, np.zeros((2, 3, 3, 3), np.float32))
    with pytest.raises(ShapeError, match="conv2d: out has shape 1x2x5x5, expected 1x2x3x3"):
        conv.conv2d(x, np.zeros((2, 3, 3, 3)), out=np.zeros((1, 2, 5, 5)))
    with pytest.raises(ShapeError, match="im2col: x_n must be 3-D, got shape 1x3x5x5"):
        conv.im2col(x, 3)
