"""Keeping the compile cache under its size limit: what is in it, and what to evict.

An *entry* is a manifest (``<request key>.json``) and the artefact it names (:mod:`warpbench.cache`).
A lookup that serves an entry touches its manifest, so a manifest's modification time says
when the entry was last used. An *orphan* is an artefact no manifest names any more: the old
build after a header edit, or a write cut short. Eviction removes orphans first, then the
least recently used entries, until the cache is under :data:`TARGET_FRACTION` of the limit.

The limit is ``$WARPBENCH_CACHE_MAX_MB`` (default :data:`DEFAULT_MAX_MB`; 0 turns eviction
off); it is enforced after every store. Only entries are counted and removed: the tuner's
database and generated sources in the cache root are data, not cache, and are left alone.
A module already loaded keeps working when its file is removed (the mapping stays).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from warpbench.cache import cache_root
from warpbench.config import debug, env_number

DEFAULT_MAX_MB = 5120
TARGET_FRACTION = 0.8
ORPHAN_GRACE_SECONDS = 3600     # a concurrent writer stores the artefact before its manifest
_KEYED = re.compile(r"^[0-9a-f]{64}(\.[A-Za-z0-9]+)?$")   # an artefact's name: its key and suffix


def _cached(name: str) -> bool:
    return name.endswith(".json") or bool(_KEYED.match(name))


@dataclass(frozen=True)
class Entry:
    """One cached entry (or orphan artefact) and what it costs."""

    kind: str
    files: tuple[Path, ...]
    size: int          # bytes
    used: float        # seconds since the epoch: last served or written
    orphan: bool


@dataclass(frozen=True)
class KindUsage:
    """The entries of one compiler kind, as ``warpbench cache`` shows them."""

    kind: str
    entries: int
    orphans: int
    size: int


def max_bytes() -> int:
    """The size limit in bytes from ``$WARPBENCH_CACHE_MAX_MB``; 0 means no limit."""
    return int(env_number("WARPBENCH_CACHE_MAX_MB", DEFAULT_MAX_MB) * 1024 * 1024)


def _size(path: Path) -> tuple[int, float] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime


def entries(kind: str, root: Path | None = None) -> list[Entry]:
    """Every entry and orphan artefact in the ``kind`` folder of the cache."""
    folder = (root or cache_root()) / kind
    try:
        names = [name for name in os.listdir(folder) if _cached(name)]
    except OSError:
        return []
    named: set[str] = set()
    found: list[Entry] = []
    for name in names:
        if not name.endswith(".json"):
            continue
        manifest = folder / name
        try:
            artefact = json.loads(manifest.read_bytes().partition(b"\n")[2])["artefact"]
        except (OSError, ValueError, KeyError, TypeError):
            artefact = None   # corrupt: counted alone, and the next store rewrites it
        files = [manifest] + ([folder / artefact] if artefact else [])
        named.update(f.name for f in files)
        stats = [s for s in map(_size, files) if s]
        if stats:
            found.append(Entry(kind, tuple(files), sum(s for s, _ in stats), stats[0][1], orphan=False))
    for name in names:
        if name not in named:
            stat = _size(folder / name)
            if stat:
                found.append(Entry(kind, (folder / name,), stat[0], stat[1], orphan=True))
    return found


def kinds(root: Path | None = None) -> list[str]:
    """The compiler kinds that have a folder in the cache root."""
    base = root or cache_root()
    try:
        return sorted(p.name for p in base.iterdir() if p.is_dir())
    except OSError:
        return []


def usage(root: Path | None = None) -> list[KindUsage]:
    """Entries, orphans and bytes per compiler kind."""
    rows = []
    for kind in kinds(root):
        found = entries(kind, root)
        if found:
            rows.append(KindUsage(kind, sum(not e.orphan for e in found), sum(e.orphan for e in found),
                                  sum(e.size for e in found)))
    return rows


def _remove(entry: Entry) -> int:
    freed = 0
    for path in entry.files:
        try:
            size = path.stat().st_size
            path.unlink()
            freed += size
        except OSError:
            pass   # gone already (another process pruned it) or not ours to remove
    return freed


def prune(limit: int | None = None, root: Path | None = None, *, now: float | None = None) -> tuple[int, int]:
    """Evict orphans, then least recently used entries, until the cache is under
    :data:`TARGET_FRACTION` of ``limit`` bytes (default :func:`max_bytes`; 0: no limit, only
    stale orphans go). Returns (entries removed, bytes freed)."""
    limit = max_bytes() if limit is None else limit
    now = time.time() if now is None else now
    found = [e for kind in kinds(root) for e in entries(kind, root)]
    total = sum(e.size for e in found)
    stale = [e for e in found if e.orphan and now - e.used > ORPHAN_GRACE_SECONDS]
    victims = list(stale)
    if limit and total > limit:
        remaining = total - sum(e.size for e in stale)
        for entry in sorted((e for e in found if not e.orphan), key=lambda e: e.used):
            if remaining <= limit * TARGET_FRACTION:
                break
            victims.append(entry)
            remaining -= entry.size
    freed = sum(_remove(e) for e in victims)
    if victims:
        debug(1, f"cache: evicted {len(victims)} entries ({freed / 2**20:.1f} MiB) from {root or cache_root()}")
    return len(victims), freed


def enforce(root: Path | None = None) -> None:
    """Prune when the cache is over its limit (called after each store); cheap otherwise."""
    limit = max_bytes()
    if not limit:
        return
    base = root or cache_root()
    total = 0
    for kind in kinds(base):
        try:
            with os.scandir(base / kind) as scan:
                total += sum(e.stat().st_size for e in scan if e.is_file() and _cached(e.name))
        except OSError:
            continue
    if total > limit:
        prune(limit, base)


def clear(kind: str | None = None, root: Path | None = None) -> int:
    """Remove every compiled artefact (of one ``kind`` when given); the tuner's database is
    kept. Returns the number of folders removed."""
    base = root or cache_root()
    folders = [base / kind] if kind else [base / k for k in kinds(base)]
    removed = 0
    for folder in folders:
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
