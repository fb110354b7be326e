"""The emulator's g++ builds through the compile cache: header tracking, corrupt entries,
failed builds and an unusable cache folder."""
import logging

import numpy as np
import pytest

from warpbench import emu
from warpbench.emu.build import MODULES
from warpbench.errors import CompileError
from tests.support import CORRUPTIONS, corrupt

KERNEL = 'extern "C" __global__ void k(int* out) { out[threadIdx.x] = tile(); }\n'


def tile_header(value: int) -> str:
    # __noinline__ compiles only once the emulator has rewritten the header.
    return f"#pragma once\n__device__ __noinline__ int tile() {{ return {value}; }}\n"


def write_tree(root, value: int):
    """include/tile.cuh and deep/tile.cuh (reached from outer.cuh), both returning ``value``."""
    for folder in ("include", "deep"):
        (root / folder).mkdir(exist_ok=True)
        (root / folder / "tile.cuh").write_text(tile_header(value))
    (root / "outer.cuh").write_text('#pragma once\n#include "deep/tile.cuh"\n')
    (root / "k.cu").write_text(f'#include "outer.cuh"\n{KERNEL}')


def launch(function) -> list[int]:
    out = emu.zeros(4, np.int32)
    function(out, grid=1, block=4)
    return out.get().tolist()


# Each route compiles a kernel reaching tile.cuh its own way and returns (values, header changed).
def through_sourcemodule_option(root):
    source = '#include "tile.cuh"\n__global__ void k(int* out) { out[threadIdx.x] = tile(); }'
    module = emu.SourceModule(source, options=[f"-I{root / 'include'}"])
    return launch(module.get_function("k").kernel), root / "include" / "tile.cuh"


def through_angle_brackets(root):
    module = emu.compile_module(f"#include <tile.cuh>\n{KERNEL}", options=["-I", str(root / "include")])
    return launch(module.get_function("k")), root / "include" / "tile.cuh"


def through_nested_include(root):
    return launch(emu.compile_file(root / "k.cu").get_function("k")), root / "deep" / "tile.cuh"


ROUTES = {"quoted via SourceModule -I option": through_sourcemodule_option,
          "<...> via -I option": through_angle_brackets,
          "nested include": through_nested_include}


@pytest.mark.parametrize("route", ROUTES)
def test_a_changed_header_recompiles(private_cache, tmp_path, route):
    write_tree(tmp_path, 3)
    values, header = ROUTES[route](tmp_path)
    assert values == [3] * 4
    compiled = MODULES.stats["compiled"]
    assert ROUTES[route](tmp_path)[0] == [3] * 4 and MODULES.stats["compiled"] == compiled
    header.write_text(tile_header(5))
    assert ROUTES[route](tmp_path)[0] == [5] * 4
    assert MODULES.stats["compiled"] == compiled + 1


def manifest_of(module):
    """The cache manifest that vouches for ``module``'s shared object."""
    return next(p for p in module.path.parent.glob("*.json") if module.path.name in p.read_text())


@pytest.mark.parametrize("part", [".so", ".json"])
@pytest.mark.parametrize("how", CORRUPTIONS)
def test_a_corrupt_cache_entry_is_rebuilt(private_cache, tmp_path, part, how):
    write_tree(tmp_path, 7)
    module = emu.compile_file(tmp_path / "k.cu")
    corrupt(module.path if part == ".so" else manifest_of(module), how)
    rebuilt = emu.compile_file(tmp_path / "k.cu")
    assert not rebuilt.cached and launch(rebuilt.get_function("k")) == [7] * 4
    again = emu.compile_file(tmp_path / "k.cu")
    assert again.cached and launch(again.get_function("k")) == [7] * 4


def test_a_failed_build_is_retried_once_its_cause_is_gone(private_cache, tmp_path):
    (tmp_path / "k.cu").write_text(f'#include "later.cuh"\n{KERNEL}')
    for _ in range(2):
        with pytest.raises(CompileError, match=r"k\.cu:1: fatal error: later\.cuh"):
            emu.compile_file(tmp_path / "k.cu")
    (tmp_path / "later.cuh").write_text(tile_header(9))
    assert launch(emu.compile_file(tmp_path / "k.cu").get_function("k")) == [9] * 4


def test_an_unusable_cache_folder_still_builds(private_cache, tmp_path, monkeypatch, caplog):
    from warpbench import cache
    (tmp_path / "blocker").write_text("")
    monkeypatch.setenv("WARPBENCH_CACHE_DIR", str(tmp_path / "blocker" / "cache"))
    cache.reset()
    write_tree(tmp_path, 4)
    with caplog.at_level(logging.WARNING, logger="warpbench"):
        module = emu.compile_file(tmp_path / "k.cu")
    assert launch(module.get_function("k")) == [4] * 4
    assert [r.getMessage().count("\n") for r in caplog.records if "unusable" in r.getMessage()] == [0]
