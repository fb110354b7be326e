"""Theano's typed input constructors: the dtype letter and the rank in the name."""
import numpy as np
import pytest

import warpbench.graph as g
from warpbench.graph import config, function


@pytest.mark.parametrize("name, dtype, ndim", [
    ("iscalar", "int32", 0), ("lscalar", "int64", 0), ("ivector", "int32", 1), ("bvector", "int8", 1),
    ("fmatrix", "float32", 2), ("dmatrix", "float64", 2), ("wtensor3", "int16", 3), ("ftensor4", "float32", 4),
    ("dtensor5", "float64", 5)])
def test_the_name_gives_dtype_and_rank(name, dtype, ndim):
    var = getattr(g, name)("v")
    assert (var.dtype, var.ndim, var.name) == (dtype, ndim, "v")


def test_untyped_ranks_take_floatx_or_the_dtype_given():
    assert (g.tensor3("x").dtype, g.tensor3("x").ndim) == ("float32", 3)
    assert g.tensor5(dtype="float64").type == g.dtensor5().type


def test_labels_as_an_ivector_index_a_softmax():
    x, y = g.fmatrix("x"), g.ivector("y")
    picked = g.function([x, y], x[g.arange(y.shape[0]), y], device="cpu")
    np.testing.assert_array_equal(picked(np.arange(6, dtype=np.float32).reshape(3, 2), [1, 0, 1]), [1, 2, 5])


def test_tensor3_follows_floatx(monkeypatch):
    monkeypatch.setattr(config, "floatX", "float64")
    assert g.tensor3().dtype == "float64" and g.tensor3().ndim == 3


def test_theanos_logistic_function_on_a_dmatrix():
    x = g.dmatrix("x")
    f = function([x], 1 / (1 + g.exp(-x)), device="cpu")
    got = f([[0, 1], [-1, -2]])
    assert got.dtype == np.float64 and np.allclose(got, 1 / (1 + np.exp(-np.array([[0, 1], [-1, -2.0]]))))
