"""The Op contract: what an operation must say about itself to live in a graph.

An op declares ``__props__``, the attribute names that parametrize it; equality,
hashing and printing are generated from them, so two ``AXPBOp(4, 5)`` are one op
(merge relies on it) and print as ``AXPBOp{a=4, b=5}``. Then, as in Theano:

- ``make_node(*inputs) -> Apply``: check the inputs, decide the output types;
- ``perform(node, inputs, output_storage)``: the NumPy reference, writes ``out[0] = value``
  into each 1-element output cell;
- ``infer_shape(node, input_shapes)``: the output shapes (raising ShapeError for
  inputs that do not fit, which is how shapes are checked before anything runs);
- ``grad(inputs, output_grads)``: symbolic gradients of the inputs (None where none flows).

Optional implementations make an op fast:

- ``perform_host``: the CPU implementation (Cython host code); defaults to ``perform``;
- ``c_code`` and its companions (Theano's C contract, see c_op.py): C++ compiled for the
  host; a host node runs it unless the op has its own ``perform_host``, and an op with C
  code needs no ``perform``;
- ``device_kernel(node)`` + ``perform_device``: the kernel that computes the node on a
  kernel device (cuda, emu) and how to launch it. The kernel is a registry name, a
  :class:`~warpbench.kernels.spec.KernelSpec`, or a user kernel carrying its own CUDA
  source (:class:`~warpbench.kernels.user.RawKernel`,
  :class:`~warpbench.kernels.elementwise_kernel.ElementwiseKernel`); the linker compiles
  it once and hands it to ``perform_device``. An op without one runs on the host, with
  transfers around it, when a function targets a kernel device.
"""
from __future__ import annotations

from warpbench.errors import WarpbenchError
from warpbench.graph.basic import Apply, Variable
from warpbench.graph.type import common_device, tensor_type
from warpbench.kernels.spec import Variant


class MethodNotDefined(WarpbenchError):
    """An op does not define this part of the contract (Theano's name for it)."""


class Op:
    """Base class of graph operations; see the module docstring for the contract."""

    #: False for ops that must not run while a function is being compiled (transfers).
    do_constant_folding = True
    #: Positions of the inputs whose values the op never reads, only their shapes (Fill's
    #: model): a compiled function feeds them a stand-in of the right shape (shape.py).
    shape_inputs: tuple[int, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        props = cls.__dict__.get("__props__")
        if props is not None and not (isinstance(props, tuple) and all(isinstance(p, str) for p in props)):
            raise TypeError(f"{cls.__name__}.__props__ must be a tuple of attribute names, got {props!r}")

    # -- identity, generated from __props__ ------------------------------------------
    # An op class that declares no __props__ keeps identity semantics: its instances
    # may carry state that makes them differ, so merging them would be wrong.

    def _props(self) -> tuple | None:
        names = getattr(type(self), "__props__", None)
        return None if names is None else tuple(getattr(self, n) for n in names)

    def __eq__(self, other):
        if self._props() is None:
            return self is other
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self):
        props = self._props()
        return id(self) if props is None else hash((type(self), props))

    def __str__(self):
        names = getattr(type(self), "__props__", None)
        if not names:
            return type(self).__name__
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{type(self).__name__}{{{shown}}}"

    __repr__ = __str__

    # -- the contract ----------------------------------------------------------------

    def make_node(self, *inputs) -> Apply:
        """An Apply node of this op on ``inputs`` (Variables or numbers), with typed outputs."""
        raise MethodNotDefined(f"{type(self).__name__} does not define make_node")

    def __call__(self, *inputs):
        """Build the node and return its output (or outputs, for multi-output ops)."""
        node = self.make_node(*inputs)
        return node.outputs[0] if len(node.outputs) == 1 else node.outputs

    def perform(self, node: Apply, inputs: list, output_storage: list[list]) -> None:
        """Compute the outputs with NumPy: ``output_storage[i][0] = value``; an op that gives
        only C code runs that instead."""
        from warpbench.graph import c_op
        if not c_op.has_c_code(self):
            raise MethodNotDefined(f"{type(self).__name__} does not define perform (nor c_code)")
        c_op.perform_c(node, inputs, output_storage)

    def perform_host(self, node: Apply, inputs: list, output_storage: list[list]) -> None:
        """The CPU implementation used when the graph runs; host code where an op has it."""
        self.perform(node, inputs, output_storage)

    def make_thunk(self, node: Apply, device):
        """Theano's hook, reduced to what the linker knows: a callable ``(inputs, output_storage)``
        running ``node`` on the host of a function compiled for ``device``, or None for
        ``perform_host`` (scan compiles its inner graph for that device here)."""
        return None

    def infer_shape(self, node: Apply, input_shapes: list[tuple]) -> list[tuple] | None:
        """The output shapes for these input shapes; None when the op cannot tell."""
        return None

    def grad(self, inputs: list[Variable], output_grads: list[Variable]) -> list[Variable | None]:
        """Symbolic gradients of the cost w.r.t. ``inputs`` given those of the outputs."""
        raise MethodNotDefined(f"{self} has no gradient")

    # -- C for the host (Theano's names; see c_op.py for what the code can use) ----------

    def c_code(self, node: Apply, name: str, inames: list[str], onames: list[str], sub: dict) -> str:
        """The C++ body computing ``node``: inputs ``inames``, outputs ``onames``, ``sub["fail"]``."""
        raise MethodNotDefined(f"{type(self).__name__} does not define c_code")

    def c_support_code(self) -> str:
        """C++ placed before every node's code of this op (helpers, includes)."""
        return ""

    def c_support_code_apply(self, node: Apply, name: str) -> str:
        """C++ placed before ``node``'s code; ``name`` is a C identifier unique to the node."""
        return ""

    def c_code_cache_version(self) -> tuple:
        """Part of the compile cache's key (with the generated text): bump it when the code
        depends on something the text does not show."""
        return ()

    def device_kernel(self, node: Apply):
        """The kernel computing ``node`` on a kernel device (a registry name, a spec, a
        RawKernel or ElementwiseKernel), or None (host only)."""
        return None

    def perform_device(self, node: Apply, kernel, inputs: list, output_storage: list[list]) -> None:
        """Launch the compiled ``kernel`` on device arrays; allocate outputs on ``kernel.device``."""
        raise MethodNotDefined(f"{type(self).__name__} does not define perform_device")


def output_variable(inputs, dtype, ndim: int, name: str | None = None) -> Variable:
    """A fresh output variable on the device of ``inputs`` (host unless they are on a device)."""
    return tensor_type(dtype, ndim, common_device(inputs))(name)


def device_kernel_of(node: Apply) -> Variant | str | None:
    """What ``node.op.device_kernel(node)`` asks for, as ``Device.compile`` takes it: a registry
    name or a spec (a user kernel gives its spec for the node); None for a host-only op."""
    found = node.op.device_kernel(node)
    if hasattr(found, "spec_for"):
        found = found.spec_for(node)
    if found is not None and not isinstance(found, (str, Variant)):
        raise WarpbenchError(f"{type(node.op).__name__}.device_kernel returned {type(found).__name__} {found!r}; "
                             f"expected a registry name, a KernelSpec, a RawKernel, an ElementwiseKernel or None")
    return found
