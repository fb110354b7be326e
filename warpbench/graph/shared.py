"""Shared variables: leaves whose value persists between calls and that updates may change.

A shared variable owns its storage cell (a 1-element list, like every cell of the
executor's storage map); each function using it reads that very cell, so ``set_value``
is seen by the next call without recompiling.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph.basic import Variable
from warpbench.graph.type import TensorType


class SharedVariable(Variable):
    """A named leaf with a value; ``function(..., updates=[(w, new_w)])`` assigns it after a call."""

    def __init__(self, type: TensorType, value, name: str | None = None):
        super().__init__(type, name=name)
        self.container = [None]
        self.set_value(value)

    def get_value(self, borrow: bool = False) -> np.ndarray:
        """The current value (a copy unless ``borrow``)."""
        return self.container[0] if borrow else self.container[0].copy()

    def set_value(self, value, borrow: bool = False) -> None:
        """Replace the value; it must fit the type (dtype, ndim), its shape may change."""
        try:
            value = self.type.filter(value)
        except (ShapeError, DTypeError) as exc:
            raise type(exc)(f"shared variable {self}: {exc}") from None
        self.container[0] = value if borrow else np.array(value)


def shared(value, name: str | None = None) -> SharedVariable:
    """A shared variable holding ``value`` (copied); its type comes from the value's dtype and ndim."""
    value = np.asarray(value)
    return SharedVariable(TensorType(value.dtype, value.ndim), value, name=name)
