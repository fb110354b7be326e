"""floatX: the dtype of float variables and constants made without one, from WARPBENCH_FLOATX."""
import os
import subprocess
import sys

import numpy as np
import pytest

from warpbench.errors import ConfigError
from warpbench.graph import as_variable, config, function, matrix, scalar, shared, vector


def _floatx_in_a_fresh_process(value: str) -> str:
    env = dict(os.environ, WARPBENCH_FLOATX=value)
    code = ("from warpbench.graph import vector\n"
            "try:\n    print(vector('x').dtype)\nexcept Exception as exc:\n    print(type(exc).__name__, exc)")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_float32_by_default():
    assert config.floatX == "float32" and vector("x").dtype == "float32"


@pytest.mark.parametrize("value", ["float64", "float32"])
def test_floatx_from_the_environment(value):
    assert _floatx_in_a_fresh_process(value) == value


def test_a_bad_floatx_in_the_environment_fails_on_use_not_on_import():
    assert _floatx_in_a_fresh_process("float16") == (
        "ConfigError floatX='float16' (from WARPBENCH_FLOATX or warpbench.graph.config.floatX) "
        "is not one of float32, float64")


def test_floatx_set_at_run_time(monkeypatch):
    monkeypatch.setattr(config, "floatX", "float64")
    x, m = vector("x"), matrix("m")
    assert (x.dtype, m.dtype, scalar().dtype) == ("float64", "float64", "float64")
    assert as_variable(0.1).dtype == "float64" and vector("i", dtype="int32").dtype == "int32"
    f = function([x], x * 0.1, device="cpu")
    assert f(np.ones(2)).dtype == np.float64  # float64 arguments are accepted as they are
    monkeypatch.setattr(config, "floatX", "float32")
    assert as_variable(0.1).dtype == "float32"
    assert shared(np.zeros(2)).dtype == "float64"  # a shared value keeps its own dtype, as in Theano


def test_a_bad_floatx_set_at_run_time(monkeypatch):
    monkeypatch.setattr(config, "floatX", "int8")
    with pytest.raises(ConfigError, match=r"^floatX='int8' .* is not one of float32, float64$"):
        vector("x")
