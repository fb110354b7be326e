"""The one on-disk cache of compiled artefacts (cubins, the emulator's objects and modules).

The root is ``$WARPBENCH_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/warpbench`` or
``~/.cache/warpbench``, with one folder per compiler kind (``nvcc``, ``emu``). An entry is
two files, as in ccache's direct mode:

* ``<request key>.json``, the manifest: every header the last successful compile read with
  the SHA-256 of its content, the artefact's file name and SHA-256, and the compiler's
  metadata; its first line is the SHA-256 of the rest;
* ``<artefact key><suffix>``, the artefact, whose key covers the request and its headers (so
  a module already loaded keeps its file when a header change makes a new one).

An entry is served only when the manifest's checksum, every header's hash and the artefact's
hash all match; anything else is a miss, and the compile that follows rewrites the entry.
Failures are never stored. A folder that cannot be used (not a directory, not writable)
gives one warning line, and this process caches in a private temporary folder instead.
Serving an entry marks it used; after each store the cache is held under its size limit by
evicting the least recently used entries (:mod:`warpbench.cache_limit`).
"""
from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from warpbench.config import debug, log
from warpbench.errors import ConfigError

MANIFEST_FORMAT = 1
_checked: set[Path] = set()
_redirected: dict[Path, Path] = {}


@dataclass(frozen=True)
class Artefact:
    """A compiled artefact read back from the cache and verified against its checksum."""

    key: str                    # changes whenever the request or a header it read changes
    path: Path                  # the cache file holding ``data``
    data: bytes
    headers: tuple[str, ...]    # the tracked headers the compile read, as the user named them
    metadata: dict
    cached: bool                # served from the cache (no compiler run)


def cache_root() -> Path:
    """Directory holding every warpbench cache (as configured; see :func:`cache_dir`)."""
    explicit = os.environ.get("WARPBENCH_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "warpbench"


def cache_dir(kind: str) -> Path:
    """The folder for one kind of artefact (``"nvcc"``, ``"emu"``), created on demand; a
    private temporary folder, announced in one warning line, when it cannot be used."""
    path = cache_root() / kind
    if path in _redirected:
        return _redirected[path]
    if path not in _checked:
        problem = _problem(path)
        if problem:
            return _redirect(path, problem)
        _checked.add(path)
    return path


def reset() -> None:
    """Forget which cache folders were checked or replaced (after WARPBENCH_CACHE_DIR changes)."""
    _checked.clear()
    _redirected.clear()


def _problem(path: Path) -> str | None:
    if path.exists() and not path.is_dir():
        return "it is not a directory"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"it cannot be created: {exc.strerror or exc}"
    if not os.access(path, os.W_OK | os.X_OK):
        return "it is not writable"
    return None


@functools.lru_cache(maxsize=None)
def _private_root() -> Path:
    try:
        root = Path(tempfile.mkdtemp(prefix="warpbench-cache-"))
    except OSError as exc:
        raise ConfigError(f"no usable cache directory: {cache_root()} cannot be used and no temporary "
                          f"directory can be made ({exc.strerror or exc}); set WARPBENCH_CACHE_DIR") from None
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def _redirect(path: Path, problem: str) -> Path:
    fallback = _private_root() / path.name
    fallback.mkdir(exist_ok=True)
    announced = any(p.parent == path.parent for p in _redirected)
    _redirected[path] = fallback
    if not announced:
        log.warning(f"warpbench: warning: cache directory {path} is unusable ({problem}); caching in "
                    f"{fallback.parent} until this process exits (set WARPBENCH_CACHE_DIR)")
    return fallback


def digest(*parts) -> str:
    """Hex SHA-256 over ``parts``; bytes are hashed as is, anything else through ``repr``."""
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def file_digest(path: str | Path) -> str | None:
    """Hex SHA-256 of a file's content; None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that concurrent readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _read_manifest(path: Path) -> dict | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        debug(1, f"cache: cannot read {path} ({exc.strerror}): rebuilding")
        return None
    checksum, _, body = raw.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != checksum:
        debug(1, f"cache: {path} is corrupt (checksum mismatch): rebuilding")
        return None
    return json.loads(body)


def lookup(kind: str, key: str) -> Artefact | None:
    """The verified artefact stored for request ``key``, or None: no entry, a corrupt
    manifest or artefact, or a listed header whose content changed."""
    folder = cache_dir(kind)
    manifest = _read_manifest(folder / f"{key}.json")
    if manifest is None or manifest.get("format") != MANIFEST_FORMAT or manifest["key"] != key:
        return None
    for header, expected in manifest["headers"]:
        if file_digest(header) != expected:
            debug(1, f"{kind}: {header} changed since the cached build: recompiling")
            return None
    path = folder / manifest["artefact"]
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != manifest["sha256"]:
        debug(1, f"cache: {path} is corrupt (checksum mismatch): rebuilding")
        return None
    _touch(folder / f"{key}.json")
    return Artefact(manifest["artefact_key"], path, data, tuple(h for h, _ in manifest["headers"]),
                    manifest["metadata"], cached=True)


def store(kind: str, key: str, suffix: str, data: bytes, headers: list[str], metadata: dict) -> Artefact:
    """Store ``data`` compiled for request ``key`` after reading ``headers``; the artefact as
    stored. A folder that fails on write is replaced by a private one, with a warning."""
    hashed = [(header, file_digest(header)) for header in dict.fromkeys(headers)]
    artefact_key = digest(key, hashed)
    name = f"{artefact_key}{suffix}"
    manifest = {"format": MANIFEST_FORMAT, "key": key, "artefact_key": artefact_key, "artefact": name,
                "sha256": hashlib.sha256(data).hexdigest(), "headers": hashed, "metadata": metadata}
    body = json.dumps(manifest, sort_keys=True).encode()
    entry = [(name, data)]
    if all(sha is not None for _, sha in hashed):   # else a header vanished: never serve it
        entry.append((f"{key}.json", hashlib.sha256(body).hexdigest().encode() + b"\n" + body))
    folder = cache_dir(kind)
    try:
        _write(folder, entry)
    except OSError as exc:
        if folder != cache_root() / kind:
            raise ConfigError(f"cannot write the {kind} cache in {folder} ({exc.strerror or exc}); "
                              "set WARPBENCH_CACHE_DIR to a writable directory") from None
        _redirect(folder, f"writing failed: {exc.strerror or exc}")
        return store(kind, key, suffix, data, headers, metadata)
    from warpbench.cache_limit import enforce
    enforce(folder.parent)
    return Artefact(artefact_key, folder / name, data, tuple(h for h, _ in hashed), metadata, cached=False)


def _touch(manifest: Path) -> None:
    """Mark an entry as used now: eviction removes the least recently used (cache_limit)."""
    try:
        os.utime(manifest)
    except OSError:
        pass   # a read-only cache still serves; it is just never evicted in use order


def _write(folder: Path, files: list[tuple[str, bytes]]) -> None:
    for name, data in files:   # the artefact before the manifest that vouches for it
        atomic_write(folder / name, data)
