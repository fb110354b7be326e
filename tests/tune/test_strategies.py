"""Search strategies: seeded orders, Optuna's TPE over the valid space, auto's choice."""
import pytest

from tests.tune.buggy import SPEC
from warpbench.errors import UnknownNameError
from warpbench.tune.record import config_label
from warpbench.tune.strategies import AUTO_BRUTE_FORCE, make_strategy, pick


def _drain(strategy, values=None):
    seen = []
    while batch := strategy.next(3):
        for config in batch:
            seen.append(config_label(config))
            strategy.tell(config, (values or {}).get(config_label(config), 1.0))
    return seen


def test_every_strategy_hands_out_each_valid_config_once_skipping_done_ones():
    space = SPEC.space()
    done = {config_label(space[0]): 1.0}
    for name in ("brute_force", "random", "tpe"):
        seen = _drain(make_strategy(name, SPEC, space, done, seed=3))
        assert sorted(seen) == sorted(config_label(c) for c in space[1:]), name


def test_seeded_strategies_repeat_their_order():
    space = SPEC.space()
    for name in ("random", "tpe"):
        assert _drain(make_strategy(name, SPEC, space, {}, seed=7)) == _drain(make_strategy(name, SPEC, space, {}, 7))
    assert _drain(make_strategy("random", SPEC, space, {}, 1)) != _drain(make_strategy("random", SPEC, space, {}, 2))


def test_auto_brute_forces_small_spaces_and_models_large_ones():
    assert pick("auto", 10, None) == "brute_force" and pick("auto", 10, 10) == "brute_force"
    assert pick("auto", AUTO_BRUTE_FORCE + 1, None) == "tpe" and pick("auto", 1688, 30) == "tpe"
    assert pick("random", 5, None) == "random"
    with pytest.raises(UnknownNameError, match="unknown strategy 'genetic'"):
        pick("genetic", 5, None)
