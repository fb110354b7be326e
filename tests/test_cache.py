"""The compile cache: verified entries, header tracking, and unusable cache folders."""
import logging
import os
import subprocess
import sys

import pytest

from warpbench import cache
from tests.support import CORRUPTIONS, corrupt


def entry_files(kind: str) -> dict[str, object]:
    """The artefact and manifest files of the only entry in ``kind``'s folder."""
    folder = cache.cache_dir(kind)
    return {"artefact": next(p for p in folder.iterdir() if p.suffix == ".bin"),
            "manifest": next(p for p in folder.iterdir() if p.suffix == ".json")}


def test_stored_entry_is_served_with_its_metadata(private_cache, tmp_path):
    header = tmp_path / "h.cuh"
    header.write_text("#define A 1\n")
    stored = cache.store("test", "k1", ".bin", b"artefact", [str(header)], {"resources": [1, 2]})
    found = cache.lookup("test", "k1")
    assert not stored.cached and found.cached
    assert (found.data, found.key, found.headers, found.metadata) == (
        b"artefact", stored.key, (str(header),), {"resources": [1, 2]})
    assert found.path.parent == private_cache / "test"
    assert cache.lookup("test", "k2") is None


def test_a_changed_or_removed_header_is_a_miss(private_cache, tmp_path):
    header = tmp_path / "h.cuh"
    header.write_text("#define A 1\n")
    first = cache.store("test", "k", ".bin", b"one", [str(header)], {})
    header.write_text("#define A 2\n")
    assert cache.lookup("test", "k") is None
    second = cache.store("test", "k", ".bin", b"two", [str(header)], {})
    assert second.key != first.key and cache.lookup("test", "k").data == b"two"
    assert first.path.read_bytes() == b"one", "an artefact already handed out keeps its file"
    header.unlink()
    assert cache.lookup("test", "k") is None


@pytest.mark.parametrize("part", ["artefact", "manifest"])
@pytest.mark.parametrize("how", CORRUPTIONS)
def test_a_corrupt_entry_is_a_miss(private_cache, part, how):
    cache.store("test", "k", ".bin", b"\x7fELF" + bytes(range(256)) * 4, [], {"registers": 32})
    corrupt(entry_files("test")[part], how)
    assert cache.lookup("test", "k") is None
    cache.store("test", "k", ".bin", b"rebuilt", [], {"registers": 32})
    assert cache.lookup("test", "k").data == b"rebuilt"


def unusable_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "is unusable" in r.getMessage()]


@pytest.mark.parametrize("layout", ["a regular file", "a folder under a regular file"])
def test_an_unusable_cache_path_falls_back_with_one_warning(tmp_path, monkeypatch, caplog, layout):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    monkeypatch.setenv("WARPBENCH_CACHE_DIR", str(blocker if layout == "a regular file" else blocker / "sub"))
    cache.reset()
    try:
        with caplog.at_level(logging.WARNING, logger="warpbench"):
            for kind in ("nvcc", "emu"):
                cache.store(kind, "k", ".bin", b"data", [], {})
                assert cache.lookup(kind, "k").data == b"data"
        lines = unusable_warnings(caplog)
        assert len(lines) == 1 and "\n" not in lines[0] and str(blocker) in lines[0]
        assert blocker.read_text() == "not a folder"
    finally:
        cache.reset()


def test_a_read_only_cache_folder_falls_back(tmp_path, monkeypatch, caplog):
    folder = tmp_path / "read-only"
    (folder / "emu").mkdir(parents=True)
    os.chmod(folder / "emu", 0o555)
    try:
        if os.access(folder / "emu", os.W_OK):
            pytest.skip("this user (root) can write to a read-only folder")
        monkeypatch.setenv("WARPBENCH_CACHE_DIR", str(folder))
        cache.reset()
        with caplog.at_level(logging.WARNING, logger="warpbench"):
            cache.store("emu", "k", ".bin", b"data", [], {})
            assert cache.lookup("emu", "k").data == b"data"
        assert len(unusable_warnings(caplog)) == 1 and not any((folder / "emu").iterdir())
    finally:
        os.chmod(folder / "emu", 0o755)
        cache.reset()


def test_the_fallback_is_one_line_on_stderr_and_no_traceback(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    script = ("from warpbench import cache; cache.store('nvcc', 'k', '.bin', b'x', [], {}); "
              "cache.store('emu', 'k', '.bin', b'y', [], {}); print(cache.lookup('emu', 'k').data)")
    env = dict(os.environ, WARPBENCH_CACHE_DIR=str(blocker / "cache"), PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("WARPBENCH_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "b'y'"
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert "cache directory" in done.stderr and str(blocker) in done.stderr
