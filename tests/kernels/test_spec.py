"""KernelSpec contract: tunables, restrictions, configuration space, generic parameter types."""
import numpy as np
import pytest

from warpbench.errors import ConfigError, DTypeError, UnknownNameError
from warpbench.kernels import get
from warpbench.kernels.spec import Param, Tunable, cdiv, launch


def test_generic_param_takes_the_problem_dtype():
    assert Param("x", "const T*", "in").dtype({"dtype": "float64"}) == np.float64
    assert Param("n", "long long").dtype({}) == np.int64
    assert Param("x", "const float*").is_pointer and not Param("a", "float").is_pointer


def test_tunable_default_must_be_a_candidate():
    with pytest.raises(ValueError, match="default 3"):
        Tunable("TILE", (16, 32), 3)


def test_resolve_fills_defaults_and_keeps_overrides():
    spec = get("transpose_padded")
    assert spec.resolve() == {"TILE_DIM": 32, "BLOCK_ROWS": 8}
    assert spec.resolve({"TILE_DIM": 16}) == {"TILE_DIM": 16, "BLOCK_ROWS": 8}


def test_restriction_error_names_kernel_values_and_rule():
    with pytest.raises(ConfigError) as err:
        get("transpose_padded").resolve({"TILE_DIM": 64, "BLOCK_ROWS": 32})
    text = str(err.value)
    assert "transpose_padded" in text and "TILE_DIM=64" in text and "1024 threads" in text


def test_block_of_2048_threads_is_refused():
    with pytest.raises(ConfigError, match="BLOCK=2048"):
        get("axpb_f32").resolve({"BLOCK": 2048})


def test_unknown_tunable_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="TILE_DIM"):
        get("transpose_naive").resolve({"TILE": 8})


def test_space_respects_restrictions():
    space = get("transpose_coalesced").space()
    assert {"TILE_DIM": 64, "BLOCK_ROWS": 32} not in space
    assert {"TILE_DIM": 16, "BLOCK_ROWS": 32} not in space
    assert all(c["BLOCK_ROWS"] <= c["TILE_DIM"] and c["TILE_DIM"] * c["BLOCK_ROWS"] <= 1024 for c in space)
    assert len(space) == 10  # TILE 16: 3, TILE 32: 4, TILE 64: 3


def test_check_dtype_names_supported_dtypes():
    with pytest.raises(DTypeError, match=r"float16 not supported \(float32\)"):
        get("axpb_f32").check_dtype(np.float16)


def test_launch_pads_to_three_dimensions():
    lau = launch(7, (32, 8))
    assert lau.grid == (7, 1, 1) and lau.block == (32, 8, 1) and lau.threads_per_block == 256
    assert cdiv(33, 32) == 2 and cdiv(32, 32) == 1


def test_geometry_covers_every_element():
    spec = get("transpose_padded")
    lau = spec.geometry({"rows": 33, "cols": 65}, spec.resolve(), None)
    assert lau.grid[:2] == (3, 2) and lau.block[:2] == (32, 8)
