"""The nvcc pipeline: resource parsing, caching, errors with file:line, missing nvcc."""
import shutil
import subprocess

import pytest

from warpbench.errors import CompileError, ToolMissing
from warpbench.kernels import compile as nvcc
from warpbench.kernels.compile import compile_cubin, parse_resource_usage
from tests.support import CORRUPTIONS, corrupt

needs_nvcc = pytest.mark.skipif(not (shutil.which("nvcc") or shutil.os.access("/usr/local/cuda/bin/nvcc", 1)),
                                reason="nvcc is not installed")

LOG = """ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function 'k2' for 'sm_90'
ptxas info    : Function properties for k2
    512 bytes stack frame, 8 bytes spill stores, 4 bytes spill loads
ptxas info    : Used 38 registers, used 0 barriers, 512 bytes cumulative stack size
ptxas info    : Compiling entry function 'k1' for 'sm_90'
ptxas info    : Function properties for k1
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 12 registers, used 1 barriers, 1088 bytes smem
"""


def test_parse_resource_usage():
    res = parse_resource_usage(LOG)
    assert res["k1"].registers == 12 and res["k1"].shared_static == 1088 and res["k1"].barriers == 1
    assert res["k2"].stack == 512 and res["k2"].spills == 12 and res["k2"].shared_static == 0


@needs_nvcc
def test_compile_caches_by_content(private_cache, tmp_path, monkeypatch):
    src = tmp_path / "k.cu"
    src.write_text('#ifndef V\n#define V 1\n#endif\nextern "C" __global__ void k(float* o) { o[0] = V; }\n')
    first = compile_cubin(src, {"V": 2})
    assert first.resources["k"].spills == 0 and first.cubin
    calls = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a) or real_run(*a, **k))
    assert compile_cubin(src, {"V": 2}).key == first.key
    assert not calls, "a cached module must not run nvcc again"
    assert compile_cubin(src, {"V": 3}).key != first.key
    (tmp_path / "unrelated.cuh").write_text("// not included: must not recompile\n")
    assert compile_cubin(src, {"V": 2}).key == first.key


@needs_nvcc
def test_compile_error_has_file_line_and_message(private_cache, tmp_path):
    src = tmp_path / "bad.cu"
    src.write_text('extern "C" __global__ void bad(float* o) {\n  o[0] = undefined_name;\n}\n')
    with pytest.raises(CompileError) as err:
        compile_cubin(src, kernel="bad_kernel")
    text = str(err.value)
    assert "bad_kernel" in text and "bad.cu:2" in text and "undefined_name" in text
    assert "\n" not in text


def test_missing_nvcc_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(nvcc.shutil, "which", lambda name: None)
    monkeypatch.setattr(nvcc.os, "access", lambda path, mode: False)
    with pytest.raises(ToolMissing, match="nvcc not found"):
        nvcc.nvcc_path()


@needs_nvcc
def test_registry_kernels_compile_for_sm90_without_spills():
    from warpbench.kernels import all_specs
    from warpbench.kernels.spec import KernelSpec
    for spec in all_specs():
        if isinstance(spec, KernelSpec):
            module = compile_cubin(spec.source, spec.defines(spec.resolve()), arch="sm_90", kernel=spec.name)
            assert module.resources[spec.entry].spills == 0, spec.name


SHARED_TILE = ('extern "C" __global__ void k(float* o) {\n  __shared__ float s[TILE];\n'
               '  s[threadIdx.x] = 1.0f;\n  __syncthreads();\n  o[threadIdx.x] = s[TILE - 1 - threadIdx.x];\n}\n')
# How the kernel reaches the header defining TILE: (kernel's include line, header path, -I folder).
HEADER_ROUTES = {
    "quoted through -I": ('#include "tile.cuh"', "include/tile.cuh", "include"),
    "<...> through -I": ("#include <tile.cuh>", "include/tile.cuh", "include"),
    "nested": ('#include "outer.cuh"', "deep/tile.cuh", None),
}


def header_route(root, route: str, tile: int):
    """A kernel whose static shared array has TILE floats, TILE coming from a header reached by
    ``route``; returns (kernel path, nvcc flags, header path)."""
    include, header, folder = HEADER_ROUTES[route]
    (root / "deep").mkdir(exist_ok=True)
    (root / "include").mkdir(exist_ok=True)
    (root / "outer.cuh").write_text('#pragma once\n#include "deep/tile.cuh"\n')
    (root / header).write_text(f"#pragma once\n#define TILE {tile}\n")
    (root / "k.cu").write_text(f"{include}\n{SHARED_TILE}")
    flags = (*nvcc.DEFAULT_FLAGS, f"-I{root / folder}") if folder else nvcc.DEFAULT_FLAGS
    return root / "k.cu", flags, root / header


@needs_nvcc
@pytest.mark.parametrize("route", HEADER_ROUTES)
def test_a_changed_header_recompiles(private_cache, tmp_path, route):
    src, flags, header = header_route(tmp_path, route, 32)
    before = compile_cubin(src, flags=flags)
    assert before.resources["k"].shared_static == 32 * 4
    compiled = nvcc.NVCC.stats["compiled"]
    assert compile_cubin(src, flags=flags).key == before.key and nvcc.NVCC.stats["compiled"] == compiled
    header.write_text("#pragma once\n#define TILE 64\n")
    after = compile_cubin(src, flags=flags)
    assert after.key != before.key and after.resources["k"].shared_static == 64 * 4


@needs_nvcc
@pytest.mark.parametrize("part", [".cubin", ".json"])
@pytest.mark.parametrize("how", CORRUPTIONS)
def test_a_corrupt_cache_entry_is_rebuilt(private_cache, tmp_path, part, how):
    src, flags, _ = header_route(tmp_path, "nested", 32)
    good = compile_cubin(src, flags=flags)
    corrupt(next((private_cache / "nvcc").glob(f"*{part}")), how)
    compiled = nvcc.NVCC.stats["compiled"]
    rebuilt = compile_cubin(src, flags=flags)
    assert nvcc.NVCC.stats["compiled"] == compiled + 1
    assert rebuilt.cubin == good.cubin and rebuilt.resources == good.resources
    assert compile_cubin(src, flags=flags).cubin == good.cubin


@needs_nvcc
def test_a_failed_build_is_retried_once_its_cause_is_gone(private_cache, tmp_path):
    src = tmp_path / "k.cu"
    src.write_text(f'#include "later.cuh"\n{SHARED_TILE}')
    for _ in range(2):
        with pytest.raises(CompileError, match=r"k\.cu:1: .*later\.cuh"):
            compile_cubin(src, kernel="k")
    (tmp_path / "later.cuh").write_text("#define TILE 16\n")
    assert compile_cubin(src, kernel="k").resources["k"].shared_static == 16 * 4
