"""``conv2d`` (NCHW cross-correlation, Theano's signature) and the two ops of its gradient.

``Conv2d(x, w)`` is the forward; ``Conv2dGradInputs(w, g, x)`` and ``Conv2dGradWeights(x, g, w)``
are its adjoints (the last input of each gives only its shape, as Fill's model does, because
with a stride the input extent cannot be recovered from the output's). The three are
bilinear, so each one's gradient is the other two: second-order gradients work.

The padding a border mode means depends on the filter extents, known only when the node
runs: "valid" is 0, "full" is dilation * (R - 1), "half" is dilation * (R // 2).
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import DTypeError, ShapeError, WarpbenchError
from warpbench.graph.basic import Apply, as_variable
from warpbench.graph.op import Op, output_variable
from warpbench.graph.type import FLOAT_DTYPES, shape_str
from warpbench.kernels.specs.common import int_pair
from warpbench.kernels.specs.conv2d import conv_problem, filter_taps
from warpbench.kernels.specs.conv2d_grad import grad_filters, grad_inputs

BORDER_MODES = ("valid", "full", "half")


def _border_mode(value):
    if isinstance(value, str):
        if value not in BORDER_MODES:
            raise ShapeError(f"conv2d: border_mode must be one of {', '.join(BORDER_MODES)} or (ph, pw), "
                             f"got {value!r}")
        return value
    return int_pair("conv2d", "border_mode", value, 0)


class ConvBase(Op):
    """What the three conv ops share: their parameters and the geometry of one call."""

    __props__ = ("border_mode", "subsample", "filter_dilation")

    def __init__(self, border_mode="valid", subsample=(1, 1), filter_dilation=(1, 1)):
        self.border_mode = _border_mode(border_mode)
        self.subsample = int_pair("conv2d", "subsample", subsample, 1)
        self.filter_dilation = int_pair("conv2d", "filter_dilation", filter_dilation, 1)

    def padding(self, r: int, s: int) -> tuple[int, int]:
        """(ph, pw) for an r x s filter."""
        (dh, dw), mode = self.filter_dilation, self.border_mode
        if mode == "valid":
            return 0, 0
        if mode == "full":
            return dh * (r - 1), dw * (s - 1)
        if mode == "half":
            return dh * (r // 2), dw * (s // 2)
        return mode

    def problem(self, x_shape, w_shape, dtype) -> dict:
        """The registry's conv2d problem dict for these shapes; ShapeError when they do not fit."""
        n, c, h, w = x_shape
        k, cw, r, s = w_shape
        if c != cw:
            raise ShapeError(f"input is {shape_str(x_shape)} (N, C, H, W) but filters are {shape_str(w_shape)} "
                             f"(K, C, R, S): channels {c} != {cw}")
        problem = conv_problem(n, c, h, w, k, r, s, self.subsample, self.padding(r, s), self.filter_dilation,
                               bias=False, op="conv2d")
        return {**problem, "dtype": np.dtype(dtype).name}

    def _tensor4(self, name: str, value):
        var = as_variable(value)
        if var.ndim != 4:
            raise ShapeError(f"{self}: {name} must be a 4-D tensor (NCHW), got {var} of type {var.type}")
        if var.dtype not in FLOAT_DTYPES:
            raise DTypeError(f"{self}: {name} must be float32 or float64, got {var} of type {var.type}")
        return var

    def _node(self, names, values):
        variables = [self._tensor4(n, v) for n, v in zip(names, values)]
        if len({v.dtype for v in variables}) > 1:
            shown = ", ".join(f"{n} {v.dtype}" for n, v in zip(names, variables))
            raise DTypeError(f"{self}: inputs must share one dtype, got {shown}")
        out = output_variable(variables, variables[0].dtype, 4)
        return Apply(self, variables, [out])

    def _like(self, op_type):
        return op_type(self.border_mode, self.subsample, self.filter_dilation)


def conv_forward(op: ConvBase, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The convolution in NumPy, one tensordot per filter tap, in x's dtype."""
    p = op.problem(x.shape, w.shape, x.dtype)
    acc = np.zeros((p["N"], p["P"], p["Q"], p["K"]), x.dtype)
    for r, s, tap in filter_taps(x, p, x.dtype):
        acc += np.tensordot(tap, w[:, :, r, s], axes=(1, 1)).astype(x.dtype, copy=False)
    return np.ascontiguousarray(acc.transpose(0, 3, 1, 2))


def check_grad_shape(p: dict, g_shape) -> None:
    """ShapeError unless ``g_shape`` is the output shape of conv problem ``p``."""
    expected = (p["N"], p["K"], p["P"], p["Q"])
    if tuple(g_shape) != expected:
        raise ShapeError(f"output gradient is {shape_str(g_shape)}, the convolution's output is "
                         f"{shape_str(expected)}")


class Conv2d(ConvBase):
    """conv2d(x, w): x (N, C, H, W), w (K, C, R, S) -> (N, K, P, Q), cross-correlation."""

    def make_node(self, x, w):
        return self._node(("input", "filters"), (x, w))

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = conv_forward(self, *inputs)

    def perform_host(self, node, inputs, output_storage):
        from warpbench.hostcode import conv
        x, w = inputs
        p = self.problem(x.shape, w.shape, x.dtype)
        output_storage[0][0] = conv.conv2d(x, w, stride=self.subsample, padding=(p["pad_h"], p["pad_w"]),
                                           dilation=self.filter_dilation)

    def infer_shape(self, node, input_shapes):
        p = self.problem(*input_shapes, node.inputs[0].dtype)
        return [(p["N"], p["K"], p["P"], p["Q"])]

    def grad(self, inputs, output_grads):
        x, w = inputs
        (g,) = output_grads
        return [self._like(Conv2dGradInputs)(w, g, x), self._like(Conv2dGradWeights)(x, g, w)]

    def device_kernel(self, node):
        return "conv2d_direct" if node.inputs[0].dtype == "float32" else None

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_conv2d
        output_storage[0][0] = launch_conv2d(self, kernel, *inputs)


class Conv2dGradInputs(ConvBase):
    """The gradient of conv2d w.r.t. its input: (w, g, x) -> dx of x's shape (x gives only its shape)."""

    shape_inputs = (2,)

    def make_node(self, w, g, x):
        return self._node(("filters", "output gradient", "input"), (w, g, x))

    def perform(self, node, inputs, output_storage):
        w, g, x = inputs
        p = self.problem(x.shape, w.shape, w.dtype)
        check_grad_shape(p, g.shape)
        output_storage[0][0] = grad_inputs(p, w, g, w.dtype)

    def infer_shape(self, node, input_shapes):
        w, g, x = input_shapes
        check_grad_shape(self.problem(x, w, node.inputs[0].dtype), g)
        return [tuple(x)]

    def grad(self, inputs, output_grads):
        w, g, x = inputs
        (z,) = output_grads
        return [self._like(Conv2dGradWeights)(z, g, w), self._like(Conv2d)(z, w), None]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import by_dtype
        return by_dtype("conv2d_bwd_data_direct", node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_conv2d_grad
        output_storage[0][0] = launch_conv2d_grad(self, kernel, "dx", *inputs)


class Conv2dGradWeights(ConvBase):
    """The gradient of conv2d w.r.t. its filters: (x, g, w) -> dw of w's shape (w gives only its shape)."""

    shape_inputs = (2,)

    def make_node(self, x, g, w):
        return self._node(("input", "output gradient", "filters"), (x, g, w))

    def perform(self, node, inputs, output_storage):
        x, g, w = inputs
        p = self.problem(x.shape, w.shape, x.dtype)
        check_grad_shape(p, g.shape)
        output_storage[0][0] = grad_filters(p, x, g, x.dtype)

    def infer_shape(self, node, input_shapes):
        x, g, w = input_shapes
        check_grad_shape(self.problem(x, w, node.inputs[0].dtype), g)
        return [tuple(w)]

    def grad(self, inputs, output_grads):
        x, g, w = inputs
        (z,) = output_grads
        return [self._like(Conv2dGradInputs)(z, g, x), self._like(Conv2d)(x, z), None]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import by_dtype
        return by_dtype("conv2d_bwd_filter_warp", node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_conv2d_grad
        output_storage[0][0] = launch_conv2d_grad(self, kernel, "dw", *inputs)


class FlipFilters(Op):
    """w[:, :, ::-1, ::-1]: filters rotated by 180 degrees (Theano's ``filter_flip``)."""

    __props__ = ()

    def make_node(self, w):
        w = as_variable(w)
        if w.ndim != 4 or w.dtype not in FLOAT_DTYPES:
            raise ShapeError(f"{self}: filters must be a 4-D float tensor (K, C, R, S), got {w} of type {w.type}")
        return Apply(self, [w], [w.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0][:, :, ::-1, ::-1].copy()

    def infer_shape(self, node, input_shapes):
        return [tuple(input_shapes[0])]

    def grad(self, inputs, output_grads):
        return [self(output_grads[0])]

    def device_kernel(self, node):
        from warpbench.graph.nnet.device import by_dtype
        return by_dtype("conv2d_flip_filters", node)

    def perform_device(self, node, kernel, inputs, output_storage):
        from warpbench.graph.nnet.device import launch_flip
        output_storage[0][0] = launch_flip(kernel, inputs[0])


def _shape_hint(name: str, value):
    if value is not None and len(value) != 4:
        raise ShapeError(f"conv2d: {name} must have 4 entries (None for unknown ones), got {value!r}")


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1),
           filter_flip=True, image_shape=None, filter_dilation=(1, 1), num_groups=1, unshared=False):
    """Theano's ``conv2d``, same signature: NCHW ``input`` (N, C, H, W) and ``filters``
    (K, C, R, S) -> (N, K, P, Q).

    ``border_mode``: "valid", "full", "half" or (ph, pw); ``subsample``: the stride (sh, sw);
    ``filter_dilation``: (dh, dw). ``filter_flip=True`` (Theano's default) flips the filters
    first, a true convolution; ``False`` gives the cross-correlation of cuDNN and the
    library's kernels. ``input_shape``/``filter_shape``/``image_shape`` are Theano's shape
    hints: checked for length, the shapes themselves are checked when the node runs. Grouped
    and unshared convolutions are not supported.
    """
    for name, hint in (("input_shape", input_shape), ("filter_shape", filter_shape), ("image_shape", image_shape)):
        _shape_hint(name, hint)
    if num_groups != 1 or unshared:
        raise WarpbenchError(f"conv2d: grouped (num_groups={num_groups!r}) and unshared (unshared={unshared!r}) "
                             f"convolutions are not supported")
    op = Conv2d(border_mode, subsample, filter_dilation)
    return op(input, FlipFilters()(filters) if filter_flip else filters)
