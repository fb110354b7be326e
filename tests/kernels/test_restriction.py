"""Restriction expressions: the accepted language, refusal at definition, and evaluation."""
import pytest

from warpbench.errors import ConfigError
from warpbench.kernels.restriction import Restriction


@pytest.mark.parametrize("text,config,expected", [
    ("TILE_DIM * BLOCK_ROWS <= 1024", {"TILE_DIM": 32, "BLOCK_ROWS": 32}, True),
    ("TILE_DIM * BLOCK_ROWS <= 1024", {"TILE_DIM": 64, "BLOCK_ROWS": 32}, False),
    ("32 <= BM // TM * BN <= 1024", {"BM": 64, "TM": 8, "BN": 4}, True),
    ("32 <= BM // TM * BN <= 1024", {"BM": 64, "TM": 8, "BN": 2}, False),
    ("BM % TM == 0 and not BN % 4", {"BM": 64, "TM": 8, "BN": 12}, True),
    ("BM % TM == 0 or BN > 100", {"BM": 60, "TM": 8, "BN": 12}, False),
    ("BM / TM == 7.5", {"BM": 60, "TM": 8}, True),
    ("2 ** 10 - -BM == +1034", {"BM": 10}, True),
    ("max(BM, TM) - min(BM, TM, 1) == abs(TM - BM) + 0", {"BM": 2, "TM": 9}, False),
    ("max(BM, TM) - min(BM, TM, 3) == abs(TM - BM)", {"BM": 2, "TM": 9}, True),
    ("(BM + 1) * 4 != 20", {"BM": 4}, False),
])
def test_expressions_evaluate_with_python_semantics(text, config, expected):
    assert Restriction(text).holds(config) is expected


def test_names_are_the_tunables_read():
    assert Restriction("max(BM, TM) * 4 <= BN and not X").names == {"BM", "TM", "BN", "X"}
    assert Restriction("1 < 2").names == frozenset()


@pytest.mark.parametrize("text,fragment", [
    ("__import__('os').system('true') == 0", "only min, max and abs may be called"),
    ("open(TILE) == 0", "only min, max and abs may be called, not 'open(TILE)'"),
    ("TILE.bit_length() < 3", "only min, max and abs may be called"),
    ("TILE.real < 3", "not allowed: 'TILE.real'"),
    ("(TILE,)[0] < 3", "not allowed"),
    ("TILE == 'x'", "only numbers may be written, not ''x''"),
    ("TILE == True", "only numbers may be written"),
    ("TILE in (16, 32)", "not allowed"),
    ("TILE is 16", "not allowed"),
    ("(lambda: 1)() == 1", "only min, max and abs may be called"),
    ("[t for t in TILE] == 0", "not allowed"),
    ("(T := 3) == TILE", "not allowed"),
    ("TILE ** BLOCK < 100", "the exponent of ** must be an integer literal"),
    ("TILE ** 100 < 100", "the exponent of ** must be an integer literal 0..64"),
    ("TILE << 2 < 100", "not allowed"),
    ("min(TILE) < 3", "min and max two or more"),
    ("abs(TILE, 2) < 3", "abs takes one argument"),
    ("max(*TILE) < 3", "min and max two or more"),
    ("min < 3", "functions may only be called"),
    ("TILE if TILE else 3", "not allowed"),
])
def test_anything_outside_the_language_is_refused_when_defined(text, fragment):
    with pytest.raises(ConfigError) as err:
        Restriction(text)
    message = str(err.value)
    assert message.startswith(f"restriction '{text}': ") and fragment in message, message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["TILE <= 1024 threads", "TILE =< 3", "", "   "])
def test_text_that_is_not_an_expression_is_refused(text):
    with pytest.raises(ConfigError, match="restriction .*(not an expression|expected a non-empty expression)"):
        Restriction(text)


def test_evaluation_reaches_no_builtins():
    rule = Restriction("len < 3")
    assert rule.holds({"len": 1})
    with pytest.raises(NameError):
        rule.holds({})


def test_a_zero_divisor_raises_an_arithmetic_error_for_the_caller_to_name():
    with pytest.raises(ZeroDivisionError):
        Restriction("BM % TM == 0").holds({"BM": 64, "TM": 0})


def test_shown_as_written_with_its_note():
    assert str(Restriction("BLOCK <= 1024", "threads per block")) == "'BLOCK <= 1024' (threads per block)"
    assert str(Restriction("BM  %TM==0")) == "'BM  %TM==0'"


def test_equal_rules_compare_equal():
    assert Restriction("BM % TM == 0", "x") == Restriction("BM % TM == 0", "x")
    assert Restriction("BM % TM == 0") != Restriction("BM % TM == 1")
