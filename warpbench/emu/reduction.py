"""PyCUDA's ``ReductionKernel``: map every index, fold with an associative operation,
in two generated launches on the emulator (per-block partials in shared memory, then one
block over the partials).

::

    dot = ReductionKernel(np.float32, neutral="0", reduce_expr="a+b",
                          map_expr="x[i]*y[i]", arguments="float *x, float *y")
    result = dot(x_gpu, y_gpu).get()          # a 0-d GPUArray

``reduce_expr`` combines ``a`` and ``b``; ``map_expr`` sees ``i`` and the arguments
(default: the first argument's element ``i``); the element count is the first array
argument's size. ``gpuarray.sum``/``dot``/``max``/``min`` are built on it.
"""
from __future__ import annotations

import numpy as np

from warpbench.ctype import c_name
from warpbench.emu.elementwise import BLOCK, ElementwiseKernel, compiled, grid_for, parse_arguments

_TEMPLATE = """{preamble}
typedef {out} wb_out_t;
static __device__ wb_out_t {name}_combine(wb_out_t a, wb_out_t b) {{ return {reduce_expr}; }}

static __device__ void {name}_block(wb_out_t acc, wb_out_t* result) {{
    __shared__ wb_out_t partial[{block}];
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {{
        if (threadIdx.x < stride)
            partial[threadIdx.x] = {name}_combine(partial[threadIdx.x], partial[threadIdx.x + stride]);
        __syncthreads();
    }}
    if (threadIdx.x == 0) result[blockIdx.x] = partial[0];
}}

extern "C" __global__ void {name}_stage1({arguments}, wb_out_t* wb_partials, long long n) {{
    wb_out_t acc = {neutral};
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)blockDim.x * gridDim.x)
        acc = {name}_combine(acc, {map_expr});
    {name}_block(acc, wb_partials);
}}

extern "C" __global__ void {name}_stage2(const wb_out_t* wb_partials, wb_out_t* wb_result, long long n) {{
    wb_out_t acc = {neutral};
    for (long long i = threadIdx.x; i < n; i += blockDim.x)
        acc = {name}_combine(acc, wb_partials[i]);
    {name}_block(acc, wb_result);
}}
"""


class ReductionKernel:
    """``reduce_expr`` folded over ``map_expr`` at every index; calling it returns a 0-d GPUArray."""

    def __init__(self, dtype_out, neutral: str, reduce_expr: str, map_expr: str | None = None,
                 arguments: str | None = None, name: str = "reduce_kernel", keep: bool = False,
                 options=None, preamble: str = ""):
        self.dtype_out, self.name = np.dtype(dtype_out), name
        arguments = arguments or f"const {c_name(self.dtype_out)} *in"
        self._checker = ElementwiseKernel(arguments, "", name)   # converts and sizes the arguments
        first = next(n for ctype, n in parse_arguments(arguments) if ctype.endswith("*"))
        self.source = _TEMPLATE.format(preamble=preamble, out=c_name(self.dtype_out), name=name,
                                       reduce_expr=reduce_expr, block=BLOCK, arguments=arguments,
                                       neutral=neutral, map_expr=map_expr or f"{first}[i]")

    def __call__(self, *args, stream=None, **launch):
        """The reduction of the arguments, as a 0-d GPUArray of ``dtype_out``."""
        from warpbench.emu.gpuarray import GPUArray   # gpuarray builds its reductions on this module
        converted, size = self._checker.convert(args)
        module = compiled(self.source)
        grid = grid_for(size)
        partials = GPUArray((grid[0],), self.dtype_out)
        result = GPUArray((), self.dtype_out)
        module.get_function(f"{self.name}_stage1")(*converted, partials, np.int64(size), block=(BLOCK, 1, 1),
                                                   grid=grid, **launch)
        module.get_function(f"{self.name}_stage2")(partials, result, np.int64(grid[0]), block=(BLOCK, 1, 1),
                                                   grid=(1, 1), **launch)
        return result
