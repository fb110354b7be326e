"""NVTX range names and payloads, as a profiler sees them.

The end-to-end tests run warpbench in a subprocess with ``tests/nvtx_recorder.cpp`` (built
here with g++) as the NVTX injection library, the way Nsight attaches, and read back every
range pushed in the ``warpbench`` domain.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warpbench import trace
from warpbench.errors import ConfigError, ToolMissing
from warpbench.graph import AXPBOp, vector

ROOT = Path(__file__).resolve().parents[1]
RECORDER = Path(__file__).with_name("nvtx_recorder.cpp")

TRANSPOSE_CASES = """
from warpbench.bench.cases import host_case
for dtype in ("float32", "float64"):
    host_case("transpose", {"rows": 2, "cols": 3, "dtype": dtype}).run()
"""
GRAPH_ON_EMU = """
import numpy as np
from warpbench.graph import AXPBOp, function, vector
x = vector("x")
function([x], AXPBOp(4, 5)(x), device="emu")(np.ones(4, np.float32))
"""
RAW_LAUNCH_ON_EMU = """
import numpy as np
from warpbench.runtime import get_device
emu = get_device("emu")
x = emu.to_device(np.ones(4, np.float32))
emu.compile("axpb_f32", {"BLOCK": 32})(emu.empty(4, np.float32), x, 2.0, 1.0, 4, grid=1, block=32)
"""


def test_range_token_removes_what_nsight_filters_read_as_syntax():
    assert trace.range_token("transpose[hostcode]") == "transpose_hostcode"
    assert trace.range_token("a/b@c d{e}") == "a_b_c_d_e"
    assert trace.range_token(4.5) == "4.5"


def test_settings_label_is_stable_and_has_no_spaces():
    assert trace.settings_label({"TILE_DIM": 32, "BLOCK_ROWS": 8}) == "TILE_DIM=32,BLOCK_ROWS=8"
    assert trace.settings_label({"rows": 2, "dtype": "float32"}, sort=True) == "dtype=float32,rows=2"
    assert trace.settings_label({}) == "default"


def test_node_range_names_split_the_op_from_its_props():
    x = vector("x")
    assert trace.node_range_names(AXPBOp(4, 5)(x).owner) == ("AXPBOp", "a=4,b=5")
    assert trace.node_range_names((x * 2).owner) == ("Mul",)


def test_launch_range_names_of_a_host_kernel(cpu):
    kernel = cpu.compile("transpose_padded")
    names = trace.launch_range_names(kernel, {"rows": 2, "dtype": "float64", "cols": 3})
    assert names == ("transpose", "transpose_hostcode", "default", "cols=3,dtype=float64,rows=2")


def test_ranges_cost_nothing_without_a_profiler():
    assert not trace.enabled()
    with trace.node_range(object(), 0), trace.launch_range(object()):
        pass  # names are not computed: these objects have neither op nor workload


def test_a_bad_nvtx_disable_value_is_refused(monkeypatch):
    monkeypatch.setenv("NVTX_DISABLE", "maybe")
    trace._domain.cache_clear()
    try:
        with pytest.raises(ConfigError, match="NVTX_DISABLE='maybe'"):
            trace.enabled()
    finally:
        monkeypatch.delenv("NVTX_DISABLE")
        trace._domain.cache_clear()


@pytest.fixture(scope="module")
def recorder(tmp_path_factory) -> Path:
    """The injection library, built against the CUDA toolkit's NVTX headers."""
    from warpbench.kernels.compile import toolkit_root
    try:
        include = toolkit_root() / "include"
    except ToolMissing as exc:
        pytest.skip(f"no NVTX headers: {exc}")
    if not (include / "nvtx3" / "nvToolsExt.h").is_file():
        pytest.skip(f"no NVTX headers under {include}")
    library = tmp_path_factory.mktemp("nvtx") / "libnvtx_recorder.so"
    subprocess.run(["g++", "-shared", "-fPIC", "-O1", f"-I{include}", "-o", str(library), str(RECORDER)],
                   check=True, capture_output=True)
    return library


def record(recorder: Path, tmp_path: Path, script: str, **env) -> list[tuple[tuple[str, ...], str, str]]:
    """Run ``script`` under the recorder; for every range pushed in the warpbench domain, the
    stack of names it completes, its category's name and its payload ("" when none)."""
    log = tmp_path / "nvtx.log"
    inherited = {k: v for k, v in os.environ.items() if k != "NVTX_DISABLE"}
    environment = {**inherited, "PYTHONPATH": str(ROOT), "NVTX_INJECTION64_PATH": str(recorder),
                   "NVTX_RECORD_PATH": str(log), **env}
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, check=True, timeout=600)
    categories, stack, pushed = {}, [], []
    for line in (log.read_text().splitlines() if log.exists() else []):
        kind, domain, *rest = line.split("\t")
        if domain != trace.DOMAIN:
            continue
        if kind == "category":
            categories[rest[0]] = rest[1]
        elif kind == "push":
            stack.append(rest[0])
            pushed.append((tuple(stack), categories.get(rest[1], rest[1]), rest[2]))
        else:
            stack.pop()
    assert not stack, f"ranges left open: {stack}"
    return pushed


def test_benchmark_cases_of_each_dtype_get_their_own_ranges(recorder, tmp_path):
    stacks = {s for s, _, _ in record(recorder, tmp_path, TRANSPOSE_CASES)}
    launch = ("transpose", "transpose_hostcode", "default")
    for dtype in ("float32", "float64"):
        case = (*launch, f"cols=3,dtype={dtype},rows=2")
        assert ("bench", *case) in stacks
        assert ("bench", *case, *case) in stacks  # the launch, inside its measurement


def test_graph_nodes_and_the_launches_inside_them(recorder, tmp_path):
    pushed = record(recorder, tmp_path, GRAPH_ON_EMU)
    node = ("AXPBOp", "a=4,b=5")
    assert (node, "graph", "1") in pushed  # toposort index 1, after the transfer to the device
    launch = node + ("axpb", "axpb_f32", "BLOCK=256,BLOCKS_PER_SM=8", "a=4,b=5,dtype=float32,n=4")
    assert (launch, "launch", "") in pushed
    assert all(" " not in name and "{" not in name for stack, _, _ in pushed for name in stack)


def test_a_raw_launch_names_its_geometry(recorder, tmp_path):
    stacks = [s for s, _, _ in record(recorder, tmp_path, RAW_LAUNCH_ON_EMU)]
    assert ("axpb", "axpb_f32", "BLOCK=32,BLOCKS_PER_SM=8", "grid=1,block=32") in stacks


def test_nvtx_disable_removes_every_range(recorder, tmp_path):
    assert record(recorder, tmp_path, TRANSPOSE_CASES + GRAPH_ON_EMU, NVTX_DISABLE="1") == []
