"""Ops in C for the CPU: the book's C AXPBOp, the contract's variables, cache and errors."""
import re
from pathlib import Path

import numpy as np
import pytest

from warpbench.errors import CompileError, DTypeError, WarpbenchError
from warpbench.graph import Apply, Op, as_variable, constant, function, grad, matrix, tensor, vector
from warpbench.graph.c_compile import HOST
from warpbench.graph.c_op import CThunk, c_thunk, generate

from .book import AXPBOp as PythonAXPBOp
from .book_c import AXPBOp as CAXPBOp

SIZES = [0, 1, 7, 31, 257, 1021]


def _perform(x):
    """What the book's Python AXPBOp computes, the reference."""
    return function([x], PythonAXPBOp(4, 5)(x), device="cpu")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_book_c_op_matches_perform_at_awkward_sizes(dtype):
    x = vector("x", dtype)
    f_c, f_py = function([x], CAXPBOp(4, 5)(x), device="cpu"), _perform(x)
    assert isinstance(f_c.vm.steps[0].run, CThunk)  # the C code runs, not a Python fallback
    for n in SIZES:
        value = np.random.default_rng(n).standard_normal(n).astype(dtype)
        got = f_c(value)
        assert got.dtype == dtype and got.shape == (n,)
        np.testing.assert_array_equal(got, f_py(value))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_strided_inputs_reach_the_c_code_with_their_strides(dtype):
    x = matrix("x", dtype)
    f = function([x], CAXPBOp(4, 5)(x.T), device="cpu")
    value = np.random.default_rng(3).standard_normal((7, 13)).astype(dtype)
    np.testing.assert_allclose(f(value), 4 * value.T + 5, rtol=1e-6)
    every_other = np.random.default_rng(4).standard_normal(41).astype(dtype)[::2]
    v = vector("v", dtype)
    g = function([v], CAXPBOp(-2, 0.5)(v), device="cpu")
    np.testing.assert_allclose(g(every_other), -2 * every_other + 0.5, rtol=1e-6)


def test_zero_d_and_four_d_values():
    s = tensor("s", "float64", 0)
    assert function([s], CAXPBOp(4, 5)(s), device="cpu")(2.0).shape == ()
    assert float(function([s], CAXPBOp(4, 5)(s), device="cpu")(2.0)) == 13.0
    t = tensor("t", "float32", 4)
    value = np.arange(2 * 3 * 5 * 7, dtype=np.float32).reshape(2, 3, 5, 7)
    np.testing.assert_array_equal(function([t], CAXPBOp(4, 5)(t), device="cpu")(value), 4 * value + 5)


def test_an_op_with_only_c_code_folds_constants_and_has_a_gradient():
    assert CAXPBOp.perform is Op.perform  # no perform of its own
    x = vector("x", "float64")
    folded = function([x], x + CAXPBOp(4, 5)(constant(np.arange(3.0))), device="cpu")
    assert [type(n.op).__name__ for n in folded.fgraph.toposort()] == ["Add"]
    np.testing.assert_array_equal(folded(np.zeros(3)), [5, 9, 13])
    g = function([x], grad(CAXPBOp(4, 5)(x).sum(), x), device="cpu")
    np.testing.assert_array_equal(g(np.ones(3)), [4, 4, 4])


def test_the_c_op_runs_next_to_device_nodes_on_emu(emu):
    x = matrix("x", "float32")
    f = function([x], CAXPBOp(4, 5)(x.T).T, device="emu")
    assert [str(n.op) for n in f.fgraph.toposort()] == [
        "GpuFromHost<emu>", "Transpose", "HostFromGpu", "AXPBOp{a=4, b=5}", "GpuFromHost<emu>",
        "Transpose", "HostFromGpu"]
    value = np.random.default_rng(5).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(f(value), 4 * value + 5, rtol=1e-6)


class _Variant(CAXPBOp):
    """The C AXPBOp with a body and a version chosen by the test."""

    def __init__(self, a, b, body=None, version=(6, 0)):
        super().__init__(a, b)
        self.body, self.version = body, version

    def c_code_cache_version(self):
        return self.version

    def c_code(self, node, name, inp, out, sub):
        if self.body is None:
            return super().c_code(node, name, inp, out, sub)
        return self.body % {"x": inp[0], "z": out[0], "fail": sub["fail"]}


def test_a_compile_error_is_one_line_naming_the_op_and_the_c_file_line(private_cache):
    x = vector("x", "float64")
    body = "\n        %(z)s[0] = %(x)s[0];\n        %(z)s[1] = undefined_thing;\n"
    with pytest.raises(CompileError) as info:
        function([x], _Variant(4, 5, body)(x), device="cpu")
    message = str(info.value)
    assert "\n" not in message and "C code of _Variant{a=4, b=5} failed to compile" in message
    found = re.search(r"(/\S+\.cpp):(\d+): error: .*undefined_thing", message)
    assert found, message
    line = Path(found.group(1)).read_text().splitlines()[int(found.group(2)) - 1]
    assert "undefined_thing" in line  # the file named is the generated one, and the line is right


def test_wb_fail_and_sub_fail_are_errors_naming_the_node():
    x = vector("x", "float64")
    with_message = _Variant(4, 5, '        WB_FAIL("refusing %%ld elements", (long)n_%(x)s);')
    with pytest.raises(WarpbenchError, match=r"the C code of _Variant\{a=4, b=5\} failed: refusing 3 elements"):
        function([x], with_message(x), device="cpu")(np.ones(3))
    bare = _Variant(1, 2, "        %(fail)s")
    with pytest.raises(WarpbenchError, match=r"failed: it returned 1; inputs: x float64 array of shape 2"):
        function([x], bare(x), device="cpu")(np.ones(2))


def test_the_cache_key_covers_the_version_and_the_text(private_cache):
    x = vector("x", "float64")
    node = _Variant(4, 5)(x).owner
    before = dict(HOST.stats)
    c_thunk(node)
    c_thunk(_Variant(4, 5)(x).owner)   # same text and version: served from the cache
    c_thunk(_Variant(4, 5, version=(7,))(x).owner)
    c_thunk(_Variant(4, 6)(x).owner)   # another b: another text
    assert HOST.stats["compiled"] - before["compiled"] == 3
    assert HOST.stats["cached"] - before["cached"] == 1
    assert generate(node).version == (6, 0)


class _NoShape(Op):
    """C code without infer_shape: its outputs cannot be allocated."""

    def make_node(self, x):
        x = as_variable(x)
        return Apply(self, [x], [x.type()])

    def c_code(self, node, name, inp, out, sub):
        return ""


def test_dtypes_and_missing_infer_shape_are_reported():
    half = vector("h", "float16")
    with pytest.raises(DTypeError, match="C code cannot take float16"):
        function([half], CAXPBOp(4, 5)(half), device="cpu")
    x = vector("x", "float64")
    with pytest.raises(WarpbenchError, match="_NoShape has C code but no infer_shape"):
        function([x], _NoShape()(x), device="cpu")(np.ones(2))


def test_an_op_without_perform_or_c_code_says_so():
    class Nothing(_NoShape):
        c_code = Op.c_code
    x = vector("x", "float64")
    with pytest.raises(WarpbenchError, match="Nothing does not define perform \\(nor c_code\\)"):
        function([x], Nothing()(x), device="cpu")(np.ones(2))
