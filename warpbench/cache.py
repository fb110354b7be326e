"""On-disk caches shared by the nvcc pipeline and the emulator.

Entries are keyed by a SHA-256 over everything that changes the artefact (source,
defines, flags, compiler version, target). The root is ``$WARPBENCH_CACHE_DIR`` when set,
else ``$XDG_CACHE_HOME/warpbench`` or ``~/.cache/warpbench``.
"""
import hashlib
import os
import tempfile
from pathlib import Path


def cache_root() -> Path:
    """Directory holding every warpbench cache."""
    explicit = os.environ.get("WARPBENCH_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "warpbench"


def cache_dir(kind: str) -> Path:
    """Sub-directory for one kind of artefact (``"nvcc"``, ``"emu"``, ``"tune"``), created on demand."""
    path = cache_root() / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def digest(*parts) -> str:
    """Hex SHA-256 over ``parts``; bytes are hashed as is, anything else through ``repr``."""
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


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
