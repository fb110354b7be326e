"""Building, caching, loading and checking (items 29, 30, 31 and the load-time checks)."""
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

from warpbench.errors import CompileError, ConfigError, DTypeError, UnknownNameError
from warpbench import emu
from warpbench.emu.build import MODULES
from tests.emu.support import KERNELS

COUNTER = """
__device__ int version = VERSION;
__constant__ float weights[4];
extern "C" __global__ void read_globals(int* v, float* w) {
    v[threadIdx.x] = version;
    w[threadIdx.x] = weights[threadIdx.x];
}
"""


def test_same_seed_same_bits_and_diagnostics(kernels):
    x = np.random.default_rng(9).standard_normal(5000).astype(np.float32)
    f = kernels("atomics.cu").get_function("float_sums")
    totals = []
    for seed in (5, 5, 6):
        total = emu.zeros(1, np.float32)
        f(emu.to_device(x), np.int32(x.size), total, emu.zeros(1, np.float64), grid=20, block=256,
          thread_order=f"random:{seed}", block_order=f"random:{seed}")
        totals.append(total.get().tobytes())
    assert totals[0] == totals[1]
    messages = []
    for _ in range(2):
        with pytest.raises(emu.BarrierDivergence) as info:
            kernels("barriers.cu").get_function("divergent_barrier")(emu.empty(64, np.float32), grid=1,
                                                                    block=64, thread_order="random:11")
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_rebuilt_module_loads_beside_the_old_one():
    old = emu.compile_module(COUNTER, defines={"VERSION": 1})
    new = emu.compile_module(COUNTER, defines={"VERSION": 2})
    twin = emu.compile_module(COUNTER, defines={"VERSION": 1})
    twin.global_array("version", np.int32)[0] = 7
    for module, expected in [(old, 1), (new, 2), (twin, 7)]:
        v = emu.zeros(4, np.int32)
        module.get_function("read_globals")(v, emu.zeros(4, np.float32), grid=1, block=4)
        assert (v.get() == expected).all()


def test_constant_memory_is_set_from_the_host():
    module = emu.compile_module(COUNTER, defines={"VERSION": 0})
    address, size = module.get_global("weights")
    assert size == 16 and address
    module.global_array("weights", np.float32)[:] = [1, 2, 3, 4]
    w = emu.zeros(4, np.float32)
    module.get_function("read_globals")(emu.zeros(4, np.int32), w, grid=1, block=4)
    np.testing.assert_array_equal(w.get(), [1, 2, 3, 4])
    with pytest.raises(UnknownNameError):
        module.get_global("missing")


def test_signature_check_rejects_wrong_dtypes(kernels):
    f = kernels("sgemm.cu").get_function("sgemm_tiled")
    assert f.param_types == ["const float*", "const float*", "float*", "int", "int", "int"]
    assert f.param_names == ["a", "b", "c", "m", "n", "k"]
    a, c = emu.zeros((4, 4), np.float32), emu.zeros((4, 4), np.float32)
    n = np.int32(4)
    with pytest.raises(DTypeError, match=r"kernel 'sgemm_tiled' parameter 1 'b' \(const float\*\): got a "
                                         r"float64 array, expected float32"):
        f(a, emu.zeros((4, 4), np.float64), c, n, n, n, grid=1, block=(16, 16))
    with pytest.raises(DTypeError, match=r"parameter 3 'm' \(int\): got a Python int \(4\).*np.int32\(4\)"):
        f(a, a, c, 4, n, n, grid=1, block=(16, 16))
    with pytest.raises(DTypeError, match=r"parameter 5 'k' \(int\): got a Python float"):
        f(a, a, c, n, n, 4.0, grid=1, block=(16, 16))
    with pytest.raises(DTypeError, match=r"parameter 4 'n' \(int\): got numpy.int64"):
        f(a, a, c, n, np.int64(4), n, grid=1, block=(16, 16))
    with pytest.raises(DTypeError, match=r"parameter 0 'a'.*host numpy array"):
        f(np.zeros((4, 4), np.float32), a, c, n, n, n, grid=1, block=(16, 16))
    with pytest.raises(DTypeError, match="takes 6 arguments"):
        f(a, a, c, n, n, grid=1, block=(16, 16))


@pytest.mark.parametrize("grid,block,shared,words", [
    (1, (2048, 1, 1), 0, "2048 threads; sm_90 allows at most 1024"),
    (1, (1, 1, 128), 0, "64 threads along z"),
    ((1, 70000), 64, 0, "65535 blocks along y"),
    (1, 64, 228 * 1024, "sm_90 allows 232448 per block"),
    (1, 0, 0, "extent below 1"),
])
def test_launch_limits(kernels, grid, block, shared, words):
    f = kernels("shared.cu").get_function("reverse_float")
    with pytest.raises(ConfigError, match="kernel 'reverse_float'") as info:
        f(emu.zeros(64, np.float32), emu.zeros(64, np.float32), grid=grid, block=block, shared=shared)
    assert words in str(info.value)


def test_launch_bounds_are_enforced():
    module = emu.compile_module('extern "C" __global__ void __launch_bounds__(128) k(int* x) { x[0] = 1; }')
    assert module.get_function("k").max_threads_per_block == 128
    with pytest.raises(ConfigError, match="__launch_bounds__ allows at most 128"):
        module.get_function("k")(emu.zeros(1, np.int32), grid=1, block=256)


def test_schedule_names_are_checked(kernels):
    f = kernels("shared.cu").get_function("reverse_float")
    with pytest.raises(ConfigError, match="thread_order must be"):
        f(emu.zeros(64, np.float32), emu.zeros(64, np.float32), grid=1, block=64, thread_order="backwards")


def test_compile_error_names_file_and_line():
    with pytest.raises(CompileError, match=r"^broken\.cu:3: error: .*undeclared_thing") as info:
        emu.compile_module('extern "C" __global__ void k(int* x) {\n  x[0] = 1;\n  x[1] = undeclared_thing;\n}',
                           filename="broken.cu")
    assert "undeclared_thing" in info.value.log


@pytest.mark.parametrize("snippet,feature", [
    ('__device__ int lane() { int l; asm("mov.u32 %0, %%laneid;" : "=r"(l)); return l; }', "inline assembly"),
    ("texture<float, 1> tex;", "textures"),
    ("__global__ void child(); __global__ void parent() { child<<<1, 1>>>(); }", "dynamic parallelism"),
    ("__global__ void k() { cooperative_groups::this_grid().sync(); }", "grid-wide synchronisation"),
    ("#include <mma.h>\nusing namespace nvcuda;", "tensor-core wmma/mma"),
])
def test_unsupported_features_fail_at_load_time(snippet, feature):
    source = "// header line\n" + snippet + "\n"
    with pytest.raises(emu.UnsupportedFeature, match=rf"^gpu_only\.cu:2: {feature}") as info:
        emu.compile_module(source, filename="gpu_only.cu")
    assert info.value.line == 2 and info.value.feature.startswith(feature)
    assert isinstance(info.value, CompileError)


def test_gpu_only_code_behind_cuda_arch_is_fine():
    source = textwrap.dedent("""
        __device__ unsigned lane_id() {
        #ifdef __CUDA_ARCH__
            unsigned l; asm("mov.u32 %0, %%laneid;" : "=r"(l)); return l;
        #else
            return threadIdx.x % warpSize;
        #endif
        }
        #if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
        #include <mma.h>
        #endif
        extern "C" __global__ void lanes(unsigned* out) { out[threadIdx.x] = lane_id(); }
        """)
    out = emu.zeros(64, np.uint32)
    emu.compile_module(source).get_function("lanes")(out, grid=1, block=64)
    np.testing.assert_array_equal(out.get(), np.arange(64) % 32)


# A fixed place (not tmp_path), so that the modules built from it stay cache hits.
HEADER_TREES = Path(tempfile.gettempdir()) / "warpbench-emu-test-headers"


def header_tree(name: str, header: str) -> Path:
    """A kernel including "common.cuh" from an include directory, under HEADER_TREES/name."""
    root = HEADER_TREES / name
    files = {root / "include" / "common.cuh": header, root / "kernel.cu":
             '#include "common.cuh"\n#ifndef TILE\n#define TILE 32\n#endif\n'
             'extern "C" __global__ void tile(int* out) { extern __shared__ int s[]; '
             's[threadIdx.x] = twice(TILE); out[threadIdx.x] = s[threadIdx.x]; }\n'}
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return root


def test_defines_and_local_headers():
    root = header_tree("noinline", "#pragma once\n__device__ __noinline__ int twice(int v) { return 2 * v; }\n")
    for defines, expected in [(None, 64), ({"TILE": 16}, 32)]:
        out = emu.zeros(4, np.int32)
        module = emu.compile_file(root / "kernel.cu", defines=defines, include_dirs=[str(root / "include")])
        module.get_function("tile")(out, grid=1, block=4, shared=16)
        assert (out.get() == expected).all()


def test_header_content_is_part_of_the_cache_key():
    keys = set()
    for body in ("return 2 * v;", "return v + v;"):
        root = header_tree("key", f"#pragma once\n__device__ int twice(int v) {{ {body} }}\n")
        keys.add(emu.compile_file(root / "kernel.cu", include_dirs=[str(root / "include")]).key)
    assert len(keys) == 2


def test_second_compile_is_a_cache_hit(kernels):
    kernels("sgemm.cu")
    compiled = MODULES.stats["compiled"]
    module = emu.compile_file(KERNELS / "sgemm.cu")
    assert module.cached and MODULES.stats["compiled"] == compiled


def test_cache_survives_the_process():
    script = ("import sys; from warpbench import emu; "
              "m = emu.compile_file(sys.argv[1]); print(m.cached)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    runs = [subprocess.run([sys.executable, "-c", script, str(KERNELS / "indexing.cu")], env=env,
                           capture_output=True, text=True, check=True).stdout.strip() for _ in range(2)]
    assert runs[1] == "True"


def test_importing_the_facade_compiles_nothing():
    script = "import sys, warpbench.emu; print('warpbench.emu.build' in sys.modules)"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_template_needs_a_name_expression():
    module = emu.compile_module("template <int N> __global__ void t(int* x) { x[0] = N; }")
    with pytest.raises(UnknownNameError, match="template"):
        module.get_function("t")
    module = emu.compile_module("template <int N> __global__ void t(int* x) { x[0] = N; }",
                                name_expressions=["t<3>", "t< 4 >"])
    for n in (3, 4):
        out = emu.zeros(1, np.int32)
        module.get_function(f"t<{n}>")(out, grid=1, block=1)
        assert out.get()[0] == n


def test_missing_compiler_is_reported(monkeypatch):
    from warpbench.errors import ToolMissing
    from warpbench.emu import toolchain
    monkeypatch.setenv("WARPBENCH_EMU_CXX", "no-such-g++")
    toolchain.compiler.cache_clear()
    try:
        with pytest.raises(ToolMissing, match="no-such-g\\+\\+"):
            emu.compile_module('extern "C" __global__ void k() {}')
    finally:
        monkeypatch.undo()
        toolchain.compiler.cache_clear()


def test_device_array_views_share_memory():
    whole = emu.to_device(np.arange(12, dtype=np.float32).reshape(3, 4))
    row = whole[1]
    assert row.shape == (4,) and row.ptr == whole.ptr + 16
    row.set(np.zeros(4, np.float32))
    assert whole.get()[1].tolist() == [0, 0, 0, 0]
    with pytest.raises(Exception, match="not contiguous"):
        whole[:, 1]


def test_struct_parameters_and_namespaced_kernels():
    source = """
    struct Params { float scale; int offset; };
    namespace nn { static __global__ void apply(Params p, const float* x, float* y) {
        y[threadIdx.x] = x[threadIdx.x] * p.scale + p.offset;
    } }
    """
    f = emu.compile_module(source).get_function("apply")
    assert f.param_types == ["struct[8]", "const float*", "float*"] and f.param_names == ["p", "x", "y"]
    params = np.array([(2.0, 3)], dtype=[("scale", "<f4"), ("offset", "<i4")])[0]
    y = emu.empty(8, np.float32)
    f(params, emu.to_device(np.arange(8, dtype=np.float32)), y, grid=1, block=8)
    np.testing.assert_array_equal(y.get(), 2 * np.arange(8) + 3)
    with pytest.raises(DTypeError, match="takes 8"):
        f(np.float32(2), emu.zeros(8, np.float32), y, grid=1, block=8)
