"""Shared by the cache tests of both compilers: the ways a cache entry gets damaged."""
import os
from pathlib import Path

CORRUPTIONS = ["truncated", "randomised", "byte-flipped"]


def corrupt(path: Path, how: str) -> None:
    """Damage the file at ``path``: cut it in half, overwrite it with random bytes of the same
    length, or flip one byte in its middle."""
    data = path.read_bytes()
    if how == "truncated":
        damaged = data[:len(data) // 2]
    elif how == "randomised":
        damaged = os.urandom(len(data))
    else:
        middle = len(data) // 2
        damaged = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]
    assert damaged != data
    path.write_bytes(damaged)
