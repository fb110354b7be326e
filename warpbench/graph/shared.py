"""Shared variables: leaves whose value persists between calls, lives where it is used, and that updates change.

A shared variable owns its storage cell (a 1-element list, like every cell of the
executor's storage map); each function using it reads that very cell, so ``set_value``
is seen by the next call without recompiling.

The value lives in one place at a time (``place``: None for host memory, or a kernel
device, "emu" or "cuda"). A function on a kernel device whose device nodes read the
variable, or that computes its update there, keeps it on the device
(:func:`place_shared`): its graph reads the device value directly and its update stays
on the device, so a training loop copies nothing per call. The value moves only when a
function needing it elsewhere is called, or for ``get_value``/``set_value``.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError
from warpbench.graph.basic import Variable
from warpbench.graph.type import GpuArrayType, TensorType


class SharedVariable(Variable):
    """A named leaf with a value; ``function(..., updates=[(w, new_w)])`` assigns it after a call."""

    def __init__(self, type: TensorType, value, name: str | None = None, borrow: bool = False):
        super().__init__(type, name=name)
        self.container = [None]
        #: Where the value is now: None (host memory) or a kernel device kind.
        self.place: str | None = None
        self._views: dict[str, DeviceSharedVariable] = {}
        self.set_value(value, borrow)

    @property
    def base(self) -> "SharedVariable":
        """The variable owning the value (itself; a device view's host variable)."""
        return self

    def get_value(self, borrow: bool = False) -> np.ndarray:
        """The current value as a host array (a copy unless ``borrow`` and it is in host memory)."""
        value = self.container[0]
        if self.place is not None:
            from warpbench.runtime import get_device
            return get_device(self.place).to_host(value)
        return value if borrow else value.copy()

    def set_value(self, value, borrow: bool = False) -> None:
        """Replace the value; it must fit the type (dtype, ndim), its shape may change. The
        value goes to host memory; the next function needing it on a device moves it."""
        try:
            value = self.type.filter(value)
        except (ShapeError, DTypeError) as exc:
            raise type(exc)(f"shared variable {self}: {exc}") from None
        self.container[0] = value if borrow else np.array(value)
        self.place = None

    def move_to(self, place: str | None) -> None:
        """Move the value to ``place`` (None: host memory, else a kernel device kind)."""
        if place == self.place:
            return
        from warpbench.runtime import get_device
        value = self.container[0]
        if self.place is not None:
            value = get_device(self.place).to_host(value)
        if place is not None:
            value = get_device(place).to_device(value)
        self.container[0], self.place = value, place

    def on(self, device: str) -> "DeviceSharedVariable":
        """This variable as a leaf of a graph on kernel device ``device``: the same cell,
        a :class:`GpuArrayType`."""
        if device not in self._views:
            self._views[device] = DeviceSharedVariable(self, device)
        return self._views[device]


class DeviceSharedVariable(SharedVariable):
    """A shared variable seen from a kernel device: its value is the host variable's,
    while it lives on that device. Only the linker makes these (:func:`place_shared`)."""

    def __init__(self, host: SharedVariable, device: str):
        Variable.__init__(self, GpuArrayType(host.dtype, host.ndim, device), name=host.name)
        self.host = host
        self.container = host.container

    @property
    def base(self) -> SharedVariable:
        """The host variable owning the value."""
        return self.host

    @property
    def place(self) -> str | None:
        """Where the value is now (the host variable's)."""
        return self.host.place

    def get_value(self, borrow: bool = False) -> np.ndarray:
        """The host variable's value."""
        return self.host.get_value(borrow)

    def set_value(self, value, borrow: bool = False) -> None:
        """Set the host variable's value."""
        self.host.set_value(value, borrow)

    def move_to(self, place: str | None) -> None:
        """Move the host variable's value."""
        self.host.move_to(place)


def shared(value, name: str | None = None, borrow: bool = False) -> SharedVariable:
    """A shared variable holding ``value``; its type comes from the value's dtype and ndim.
    The value is copied unless ``borrow`` (Theano's flag: the variable then holds the very
    array given, until a function moves it to a device or an update replaces it)."""
    value = np.asarray(value)
    return SharedVariable(TensorType(value.dtype, value.ndim), value, name=name, borrow=borrow)


def place_shared(fg, device: str, targets: list[SharedVariable], n_outputs: int) -> None:
    """Keep on ``device`` (a kernel device) the shared variables its nodes read or update there.

    ``fg`` is a rewritten graph whose outputs past ``n_outputs`` are the new values of
    ``targets``. Such a variable is read through its device view (host nodes through
    ``HostFromGpu`` of it) and its update output becomes a device value; a shape learnt
    on the host reads the device view itself (stand_in.py).
    """
    from warpbench.graph.rewrite import cut_transfers, merge
    from warpbench.graph.stand_in import device_stand_ins
    from warpbench.graph.transfer import GpuFromHost, HostFromGpu, host_from_gpu

    def on_device(var) -> bool:
        return var.owner is not None and isinstance(var.owner.op, HostFromGpu)

    order = fg.toposort()
    placed = {node.inputs[0] for node in order if isinstance(node.op, GpuFromHost)
              and isinstance(node.inputs[0], SharedVariable)}
    placed |= {t for t, v in zip(targets, fg.outputs[n_outputs:]) if on_device(v) or t in placed}
    if not placed:
        return
    read = {var: host_from_gpu(var.on(device)) for var in placed}
    for node in order:
        node.inputs = [read.get(v, v) for v in node.inputs]
    outputs = [read.get(v, v) for v in fg.outputs]
    for k, target in enumerate(targets, start=n_outputs):
        if target in placed:
            value = outputs[k]
            outputs[k] = value.owner.inputs[0] if on_device(value) else GpuFromHost(device)(value)
    fg.outputs = outputs
    cut_transfers(fg)
    device_stand_ins(fg)
    merge(fg)
