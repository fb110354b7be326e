"""Barrier identity includes the call path: a helper holding __syncthreads, called from
both branches of a thread-dependent if, is a divergence; one call site reached by every
thread (in a loop, or through nested helpers) is not."""
import numpy as np
import pytest

from warpbench import emu
from warpbench.emu.call_sites import barrier_functions, insert_call_guards

SOURCE = r"""
__device__ void stage(float* s, float* out, int i) {
    s[threadIdx.x] = out[i];
    __syncthreads();                                   // HELPER_BARRIER
    float next = s[(threadIdx.x + 1) % blockDim.x];
    __syncthreads();
    out[i] = next;
}

__device__ void stage_twice(float* s, float* out, int i) { stage(s, out, i); stage(s, out, i); }

extern "C" __global__ void both_branches(float* out) {
    __shared__ float s[64];
    int i = threadIdx.x;
    if (threadIdx.x < 16)
        stage(s, out, i);                              // CALL_LOW
    else
        stage(s, out, i);                              // CALL_HIGH
}

extern "C" __global__ void one_call_in_a_loop(float* out, int rounds) {
    __shared__ float s[64];
    for (int r = 0; r < rounds; ++r)
        stage(s, out, threadIdx.x);
}

extern "C" __global__ void nested_same_path(float* out) {
    __shared__ float s[64];
    stage_twice(s, out, threadIdx.x);
}

extern "C" __global__ void nested_different_paths(float* out) {
    __shared__ float s[64];
    if (threadIdx.x % 2) stage_twice(s, out, threadIdx.x); else stage(s, out, threadIdx.x);
}
"""


def _line(tag: str) -> int:
    return next(n for n, text in enumerate(SOURCE.splitlines(), 1) if tag in text)


@pytest.fixture(scope="module")
def module():
    return emu.compile_module(SOURCE, filename="paths.cu")


def test_both_branches_calling_one_helper_diverge(module):
    out = emu.to_device(np.arange(32, dtype=np.float32))
    with pytest.raises(emu.BarrierDivergence, match=r"same __syncthreads \(paths.cu:%d\) reached through "
                       r"different calls" % _line("HELPER_BARRIER")) as info:
        module.get_function("both_branches")(out, grid=1, block=32)
    lines = {_line("CALL_LOW"), _line("CALL_HIGH")}
    assert info.value.line in lines and f"paths.cu:{(lines - {info.value.line}).pop()}" in str(info.value)


def test_one_call_site_in_a_loop_is_one_barrier(module):
    out = emu.to_device(np.arange(32, dtype=np.float32))
    module.get_function("one_call_in_a_loop")(out, np.int32(3), grid=1, block=32)
    assert out.get().tolist() == np.roll(np.arange(32), -3).tolist()


def test_nested_helpers(module):
    out = emu.to_device(np.arange(32, dtype=np.float32))
    module.get_function("nested_same_path")(out, grid=1, block=32)
    assert out.get().tolist() == np.roll(np.arange(32), -2).tolist()
    with pytest.raises(emu.BarrierDivergence, match="reached through different calls"):
        module.get_function("nested_different_paths")(out, grid=1, block=32)


def test_the_rewrite_guards_calls_not_declarations():
    code = "__device__ void h();\n__device__ void h() { __syncthreads(); }\n" \
           "__device__ int g(int x) { return x; }\n__global__ void k() { if (1) h(); g(2); obj.h(); }\n"
    assert barrier_functions(code) == {"h", "k"}
    guarded = insert_call_guards(code)
    assert guarded.count("(wbemu::CallSiteGuard(), h())") == 1 and "void h();" in guarded
    assert "obj.h()" in guarded and guarded.count("\n") == code.count("\n")
