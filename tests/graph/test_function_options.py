"""Theano's function options: givens, on_unused_input, allow_input_downcast, mode; shared(borrow=)."""
import logging

import numpy as np
import pytest

from warpbench.errors import ConfigError, DTypeError, WarpbenchError
from warpbench.graph import fmatrix, function, grad, lscalar, shared, vector


def test_givens_feed_a_minibatch_of_a_shared_dataset():
    data = shared(np.arange(12, dtype=np.float32).reshape(6, 2), name="data")
    index, x = lscalar("index"), fmatrix("x")
    w = shared(np.ones(2, np.float32), name="w")
    cost = ((x * w).sum(axis=1) ** 2).mean()
    step = function([index], cost, updates=[(w, w - 0.01 * grad(cost, w))],
                    givens={x: data[index * 2:(index + 1) * 2]}, device="cpu")
    assert step(1) == pytest.approx(((4 + 5) ** 2 + (6 + 7) ** 2) / 2)
    assert not np.allclose(w.get_value(), 1.0)


def test_givens_must_keep_the_type():
    x = vector("x", "float32")
    with pytest.raises(DTypeError, match=r"givens replaces x \(TensorType\(float32, vector\)\)"):
        function([], x * 2, givens={x: np.zeros((2, 2), np.float32)}, device="cpu")


def test_unused_inputs_raise_warn_or_pass(caplog):
    a, b = vector("a"), vector("b")
    with pytest.raises(WarpbenchError, match=r"input 1 \(b\) is not used.*on_unused_input='ignore'"):
        function([a, b], a * 2, device="cpu")
    with caplog.at_level(logging.WARNING, logger="warpbench"):
        function([a, b], a * 2, device="cpu", on_unused_input="warn")
    assert "input 1 (b) is not used" in caplog.text
    assert function([a, b], a * 2, device="cpu", on_unused_input="ignore")([1.0], [2.0]) == [2.0]
    with pytest.raises(ConfigError, match="on_unused_input='never'"):
        function([a], a, device="cpu", on_unused_input="never")


def test_allow_input_downcast_casts_float64_data_into_float32_inputs():
    x = vector("x", "float32")
    with pytest.raises(DTypeError, match="casting would lose precision"):
        function([x], x * 2, device="cpu")(np.array([1.5]))
    out = function([x], x * 2, device="cpu", allow_input_downcast=True)(np.array([1.5]))
    assert out.dtype == np.float32 and out[0] == 3.0


def test_fast_compile_skips_the_optional_rewrites():
    x = vector("x", "float64")
    fast = function([x], (x * 2 + 1) * 3, device="cpu", mode="FAST_COMPILE")
    assert len(fast.fgraph.toposort()) == 3
    assert len(function([x], (x * 2 + 1) * 3, device="cpu", mode="FAST_RUN").fgraph.toposort()) == 1
    with pytest.raises(ConfigError, match="mode='DebugMode'"):
        function([x], x, device="cpu", mode="DebugMode")


def test_borrowed_shared_values_alias_the_array():
    value = np.zeros(3)
    borrowed, copied = shared(value, borrow=True), shared(value)
    value[0] = 7.0
    assert borrowed.get_value(borrow=True)[0] == 7.0 and copied.get_value()[0] == 0.0
