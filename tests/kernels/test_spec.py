"""KernelSpec contract: tunables, restrictions, configuration space, generic parameter types."""
import numpy as np
import pytest

from warpbench.errors import ConfigError, DTypeError, UnknownNameError
from warpbench.kernels import get
from warpbench.kernels.spec import KernelSpec, Param, Restriction, Tunable, cdiv, launch


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


def test_restriction_error_names_kernel_values_and_rule_as_written():
    with pytest.raises(ConfigError) as err:
        get("transpose_padded").resolve({"TILE_DIM": 64, "BLOCK_ROWS": 32})
    assert str(err.value) == ("transpose_padded: config TILE_DIM=64, BLOCK_ROWS=32 breaks restriction "
                              "'TILE_DIM * BLOCK_ROWS <= 1024' (threads per block)")


@pytest.mark.parametrize("value", [16.5, 16.0, "abc", "16", True, None, np.float32(16)])
def test_a_value_that_is_not_an_integer_names_kernel_tunable_and_value(value):
    with pytest.raises(ConfigError) as err:
        get("transpose_padded").resolve({"TILE_DIM": value})
    assert str(err.value) == f"transpose_padded: tunable TILE_DIM must be an integer, got {value!r}"


def test_numpy_integers_are_plain_ints_once_resolved():
    config = get("transpose_padded").resolve({"TILE_DIM": np.int64(16)})
    assert config == {"TILE_DIM": 16, "BLOCK_ROWS": 8} and type(config["TILE_DIM"]) is int


def test_values_outside_the_candidates_pass_when_the_restrictions_hold():
    spec = get("transpose_padded")
    assert 48 not in spec.tunable("TILE_DIM").values
    assert spec.resolve({"TILE_DIM": 48}) == {"TILE_DIM": 48, "BLOCK_ROWS": 8}
    with pytest.raises(ConfigError, match=r"TILE_DIM=128, BLOCK_ROWS=4 breaks restriction "
                                          r"'TILE_DIM \* \(TILE_DIM \+ 1\) \* 4 <= 49152'"):
        spec.resolve({"TILE_DIM": 128, "BLOCK_ROWS": 4})


def test_a_restriction_dividing_by_a_configured_zero_names_the_rule():
    with pytest.raises(ConfigError, match=r"^sgemm_blocktile_1d: config BM=64, BN=64, BK=8, TM=0 makes "
                                          r"restriction 'BM % TM == 0' fail: integer modulo by zero$"):
        get("sgemm_blocktile_1d").resolve({"TM": 0})


def test_defines_are_the_whole_resolved_config():
    spec = get("transpose_naive")
    assert spec.defines({"TILE_DIM": 16}) == {"TILE_DIM": 16, "BLOCK_ROWS": 8}
    assert spec.defines() == spec.default_config
    with pytest.raises(ConfigError, match="breaks restriction"):
        spec.defines({"TILE_DIM": 64, "BLOCK_ROWS": 32})


def _variant(tunables, restrictions):
    base = get("transpose_naive")
    return KernelSpec(name="probe", workload=base.workload, source=base.source, entry=base.entry,
                      geometry=base.geometry, tunables=tunables, restrictions=restrictions)


def test_restrictions_may_be_plain_strings():
    spec = _variant((Tunable("A", (1, 2, 3), 1),), ("A % 2 == 1",))
    assert spec.restrictions == (Restriction("A % 2 == 1"),)
    assert spec.space() == [{"A": 1}, {"A": 3}]


def test_a_restriction_on_anything_but_a_tunable_is_refused_when_defined():
    with pytest.raises(UnknownNameError, match=r"^probe: restriction 'A \* PAD <= 8' reads PAD, not a tunable "
                                               r"\(tunables: A\)$"):
        _variant((Tunable("A", (1, 2), 1),), ("A * PAD <= 8",))


def test_repeated_tunable_names_are_refused():
    with pytest.raises(ConfigError, match="probe: tunables A, A repeat a name"):
        _variant((Tunable("A", (1, 2), 1), Tunable("A", (3,), 3)), ())


def test_space_prunes_early_and_agrees_with_checking_every_config():
    tunables = (Tunable("A", (1, 2, 4, 8), 1), Tunable("B", (1, 2, 3), 1), Tunable("C", (0, 5, 7), 0))
    rules = ("B != 2", "A * C <= 28", "A + B + C > 3", "3 > 1")
    spec = _variant(tunables, rules)
    product = [{"A": a, "B": b, "C": c} for a in (1, 2, 4, 8) for b in (1, 2, 3) for c in (0, 5, 7)]
    assert spec.space() == [c for c in product if all(Restriction(r).holds(c) for r in rules)]
    assert _variant(tunables, ("3 < 1",)).space() == []


def test_tunable_lookup_names_the_known_ones():
    assert get("transpose_naive").tunable("BLOCK_ROWS").default == 8
    with pytest.raises(UnknownNameError, match=r"no tunable 'TILE' \(tunables: TILE_DIM, BLOCK_ROWS\)"):
        get("transpose_naive").tunable("TILE")


@pytest.mark.parametrize("values,default", [((16.5, 32), 32), (("16",), "16"), ((), 1), ((True, 2), 2)])
def test_tunable_candidates_must_be_integers(values, default):
    with pytest.raises(ConfigError, match="tunable TILE: candidates .* must be one or more integers"):
        Tunable("TILE", values, default)


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
