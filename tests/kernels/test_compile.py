"""The nvcc pipeline: resource parsing, caching, errors with file:line, missing nvcc."""
import shutil
import subprocess

import pytest

from warpbench.errors import CompileError, ToolMissing
from warpbench.kernels import compile as nvcc
from warpbench.kernels.compile import compile_cubin, parse_resource_usage

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


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WARPBENCH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@needs_nvcc
def test_compile_caches_by_content(private_cache, monkeypatch):
    src = private_cache / "k.cu"
    src.write_text('#ifndef V\n#define V 1\n#endif\nextern "C" __global__ void k(float* o) { o[0] = V; }\n')
    first = compile_cubin(src, {"V": 2})
    assert first.resources["k"].spills == 0 and first.cubin
    calls = []
    real_run = subprocess.run
    monkeypatch.setattr(nvcc.subprocess, "run", lambda *a, **k: calls.append(a) or real_run(*a, **k))
    assert compile_cubin(src, {"V": 2}).key == first.key
    assert not calls, "a cached module must not run nvcc again"
    assert compile_cubin(src, {"V": 3}).key != first.key
    (private_cache / "unrelated.cuh").write_text("// not included: must not recompile\n")
    assert compile_cubin(src, {"V": 2}).key == first.key
    (private_cache / "extra.cuh").write_text("#pragma once\n")
    src.write_text('#include "extra.cuh"\n' + src.read_text())
    with_header = compile_cubin(src, {"V": 2}).key
    (private_cache / "extra.cuh").write_text("#pragma once\n// changed\n")
    assert compile_cubin(src, {"V": 2}).key != with_header, "a header change must recompile"


@needs_nvcc
def test_compile_error_has_file_line_and_message(private_cache):
    src = private_cache / "bad.cu"
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
