"""The book's networks, built on :mod:`warpbench.graph` only.

``NETWORKS`` maps each name to its module; every module has ``build(batch, device=None,
seed=0, **sizes) -> Network`` (base.py) whose sizes default to the book's, for benchmarks.
``warpbench train`` trains them on the data of data.py (recipes.py).
"""
from __future__ import annotations

from warpbench.errors import UnknownNameError
from warpbench.networks import bilstm, char_lstm, lenet, mlp, resnet
from warpbench.networks.base import Network

NETWORKS = {"mlp": mlp, "lenet": lenet, "char_lstm": char_lstm, "bilstm": bilstm, "resnet": resnet}


def get(name: str):
    """The module of network ``name``; UnknownNameError listing the networks."""
    if name not in NETWORKS:
        raise UnknownNameError(f"unknown network {name!r} (networks: {', '.join(NETWORKS)})")
    return NETWORKS[name]


__all__ = ["NETWORKS", "Network", "get"]
