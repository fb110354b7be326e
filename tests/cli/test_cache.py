"""``warpbench cache``: the table, --prune and --clear, and its one-line errors."""
import json

from warpbench import cache
from tests.cli.support import assert_one_line_error, run_cli


def test_the_table_prune_and_clear(private_cache, capsys):
    cache.store("emu", "k", ".so", b"module", [], {})
    code, out, _ = run_cli(capsys, "cache")
    assert code == 0 and "emu" in out and "WARPBENCH_CACHE_MAX_MB" in out
    code, out, _ = run_cli(capsys, "cache", "--json")
    assert json.loads(out) == [{"kind": "emu", "entries": 1, "orphans": 0, "mib": 0.0}]
    code, out, _ = run_cli(capsys, "cache", "--prune")
    assert code == 0 and out.startswith("evicted 0 entries")
    code, out, _ = run_cli(capsys, "cache", "--clear", "emu")
    assert code == 0 and cache.lookup("emu", "k") is None


def test_clearing_an_unknown_kind_is_one_line(private_cache, capsys):
    cache.store("emu", "k", ".so", b"module", [], {})
    code, _, err = run_cli(capsys, "cache", "--clear", "cuda")
    assert_one_line_error(code, err, "--clear", "'cuda'", "emu")
    assert cache.lookup("emu", "k") is not None
