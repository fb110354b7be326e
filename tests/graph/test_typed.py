"""Theano's typed constructors: the dtype letter and the number of dimensions."""
import numpy as np
import pytest

import warpbench.graph as T
from warpbench.graph import config, function


@pytest.mark.parametrize("name, dtype, ndim", [
    ("dscalar", "float64", 0), ("fvector", "float32", 1), ("imatrix", "int32", 2), ("lscalar", "int64", 0),
    ("btensor3", "int8", 3), ("wtensor4", "int16", 4), ("dmatrix", "float64", 2), ("iscalar", "int32", 0),
])
def test_typed_constructors(name, dtype, ndim):
    var = getattr(T, name)("v")
    assert (var.dtype, var.ndim, var.name) == (dtype, ndim, "v")


def test_tensor3_follows_floatx(monkeypatch):
    monkeypatch.setattr(config, "floatX", "float64")
    assert T.tensor3().dtype == "float64" and T.tensor3().ndim == 3


def test_theanos_logistic_function_on_a_dmatrix():
    x = T.dmatrix("x")
    f = function([x], 1 / (1 + T.exp(-x)), device="cpu")
    got = f([[0, 1], [-1, -2]])
    assert got.dtype == np.float64 and np.allclose(got, 1 / (1 + np.exp(-np.array([[0, 1], [-1, -2.0]]))))
