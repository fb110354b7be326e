"""warpbench.config.env_choice: a word from a fixed set, else a one-line ConfigError."""
import pytest

from warpbench.config import env_choice
from warpbench.errors import ConfigError


@pytest.mark.parametrize("raw, expected", [(None, "b"), ("", "b"), (" a ", "a"), ("c", "c")])
def test_env_choice(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("WARPBENCH_PROBE", raising=False)
    else:
        monkeypatch.setenv("WARPBENCH_PROBE", raw)
    assert env_choice("WARPBENCH_PROBE", "b", ("a", "b", "c")) == expected


def test_env_choice_refuses_other_words(monkeypatch):
    monkeypatch.setenv("WARPBENCH_PROBE", "A")
    with pytest.raises(ConfigError, match=r"^WARPBENCH_PROBE='A' is not one of a, b, c$"):
        env_choice("WARPBENCH_PROBE", "b", ("a", "b", "c"))
