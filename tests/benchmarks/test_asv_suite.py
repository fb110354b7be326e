"""The asv suite's configuration and its GPU-less resource benchmarks.

asv keeps results per dependency set only when the set is pinned: the matrix and the
constraints file must name exact versions, agree, and satisfy what pyproject.toml asks for.
"""
import json
import re
import shutil
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from warpbench.bench.cases import SkipBenchmark
from warpbench.errors import ToolMissing
from warpbench.kernels import all_specs, get
from warpbench.kernels.spec import KernelSpec, PipelineSpec
from warpbench.kernels.usage import static_usage

from benchmarks import resources

ROOT = Path(__file__).resolve().parents[2]
CONF = json.loads((ROOT / "asv.conf.json").read_text())
CONSTRAINTS = ROOT / "benchmarks" / "constraints.txt"
needs_nvcc = pytest.mark.skipif(not (shutil.which("nvcc") or shutil.os.access("/usr/local/cuda/bin/nvcc", 1)),
                                reason="nvcc is not installed")


def pins() -> dict[str, str]:
    """Package (canonical name) → the exact version the constraints file pins."""
    found = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            match = re.fullmatch(r"([A-Za-z0-9._-]+)==([0-9A-Za-z.+-]+)", line)
            assert match, f"constraints.txt: {line!r} is not an exact pin"
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def test_the_matrix_pins_the_constraints_versions():
    matrix = CONF["matrix"]["req"]
    assert matrix
    for name, versions in matrix.items():
        assert len(versions) == 1 and versions[0], f"{name}: {versions} is not one exact version"
        assert pins().get(canonicalize_name(name)) == versions[0], name


def test_the_build_and_the_install_follow_the_constraints():
    # asv installs pyproject's build requirements with --upgrade after the matrix, so the build
    # first puts every pinned version back.
    assert CONF["build_command"][0] == "in-dir={conf_dir} python -m pip install -r benchmarks/constraints.txt"
    assert all("-c benchmarks/constraints.txt" in command for command in CONF["install_command"])


def test_every_requirement_of_the_project_is_pinned_within_its_range():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = project["build-system"]["requires"] + project["project"]["dependencies"]
    pinned = pins()
    for text in wanted:
        requirement = Requirement(text)
        version = pinned.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(version), f"{requirement.name}=={version} breaks {text!r}"


def test_every_registry_kernel_is_tracked_in_a_stable_order():
    kernels = [s.name for s in all_specs() if isinstance(s, KernelSpec)]
    assert resources.KERNELS == sorted(kernels)
    for pipeline in (s for s in all_specs() if isinstance(s, PipelineSpec)):
        assert set(pipeline.stages) <= set(resources.KERNELS), pipeline.name


@needs_nvcc
def test_the_track_benchmarks_report_nvccs_numbers():
    suite = resources.KernelResources()
    suite.setup("transpose_padded")
    usage = static_usage(get("transpose_padded"))
    assert suite.track_registers("transpose_padded") == usage.registers > 0
    assert suite.track_spill_bytes("transpose_padded") == 0
    assert suite.track_static_shared_bytes("transpose_padded") == 32 * 33 * 4
    assert 0 < suite.track_occupancy("transpose_padded") == usage.occupancy.occupancy <= 1


def test_without_nvcc_every_case_is_skipped_with_the_reason(monkeypatch):
    def missing(*args, **kwargs):
        raise ToolMissing("nvcc not found: install the CUDA toolkit or put its bin/ on PATH")

    monkeypatch.setattr(resources, "static_usage", missing)
    with pytest.raises(SkipBenchmark, match="nvcc not found") as caught:
        resources.KernelResources().setup("transpose_padded")
    assert isinstance(caught.value, NotImplementedError)  # what asv reports as skipped
