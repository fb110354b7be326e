"""Cache eviction: least recently used entries go first, orphans before them, data stays."""
import os
import time

import pytest

from warpbench import cache, cache_limit
from warpbench.errors import ConfigError

MIB = 1024 * 1024
HOUR = 3600.0


def ago(hours: float) -> float:
    """A time ``hours`` before now."""
    return time.time() - hours * HOUR


def stored(key: str, size: int, used: float):
    """Store an entry of ``size`` bytes and pretend it was last used at ``used``."""
    artefact = cache.store("test", key, ".bin", b"x" * size, [], {})
    os.utime(artefact.path.parent / f"{key}.json", (used, used))
    return artefact


def test_least_recently_used_entries_are_evicted_down_to_the_target(private_cache, monkeypatch):
    monkeypatch.setenv("WARPBENCH_CACHE_MAX_MB", "0")   # store without evicting while filling
    old, middle, new = (stored(k, MIB, t) for k, t in (("old", ago(3)), ("middle", ago(2)), ("new", ago(1))))
    count, freed = cache_limit.prune(3 * MIB)
    assert count == 1 and freed > MIB
    assert not old.path.exists() and cache.lookup("test", "old") is None
    assert cache.lookup("test", "middle") and cache.lookup("test", "new")


def test_a_lookup_makes_an_entry_recent(private_cache, monkeypatch):
    monkeypatch.setenv("WARPBENCH_CACHE_MAX_MB", "0")
    first, second = stored("first", MIB, ago(2)), stored("second", MIB, ago(1))
    assert cache.lookup("test", "first").cached   # now the most recently used
    cache_limit.prune(int(1.5 * MIB))
    assert first.path.exists() and not second.path.exists()


def test_orphans_go_first_and_only_once_stale(private_cache, monkeypatch):
    monkeypatch.setenv("WARPBENCH_CACHE_MAX_MB", "0")
    entry = stored("k", 10, ago(5))
    orphan = entry.path.parent / ("ab" * 32 + ".bin")
    orphan.write_bytes(b"old build")
    os.utime(orphan, (5e9, 5e9))
    assert cache_limit.prune(0, now=5e9 + 60) == (0, 0), "a fresh orphan may be a write in progress"
    assert cache_limit.prune(0, now=5e9 + 2 * cache_limit.ORPHAN_GRACE_SECONDS)[0] == 1
    assert not orphan.exists() and cache.lookup("test", "k").data == b"x" * 10


def test_a_store_over_the_limit_evicts(private_cache, monkeypatch):
    monkeypatch.setenv("WARPBENCH_CACHE_MAX_MB", "2")
    first = stored("first", MIB, ago(2))
    stored("second", MIB, ago(1))
    cache.store("test", "third", ".bin", b"x" * MIB, [], {})
    assert not first.path.exists()
    assert cache.lookup("test", "third") is not None


def test_usage_counts_entries_orphans_and_bytes_and_leaves_data_alone(private_cache, monkeypatch):
    stored("k", 1000, ago(1))
    (private_cache / "tune.sqlite").write_bytes(b"measured data")
    (cache.cache_dir("test") / ("cd" * 32 + ".bin")).write_bytes(b"12")
    [row] = cache_limit.usage()
    assert (row.kind, row.entries, row.orphans) == ("test", 1, 1) and row.size > 1002
    assert cache_limit.clear() == 1
    assert cache_limit.usage() == [] and (private_cache / "tune.sqlite").exists()


def test_a_bad_limit_is_one_config_error(monkeypatch):
    monkeypatch.setenv("WARPBENCH_CACHE_MAX_MB", "lots")
    with pytest.raises(ConfigError, match="WARPBENCH_CACHE_MAX_MB='lots'"):
        cache_limit.max_bytes()
