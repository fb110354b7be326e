"""Registry lookups by variant and by family, with helpful errors."""
import pytest

from warpbench.errors import UnknownNameError
from warpbench.kernels import all_specs, get, select
from warpbench.kernels.compile import KERNEL_DIR


def test_every_spec_points_at_an_existing_source_and_entry():
    for spec in all_specs():
        if hasattr(spec, "source"):
            text = (KERNEL_DIR / spec.source).read_text()
            assert spec.entry.split("<")[0] in text, f"{spec.name}: entry {spec.entry} not in {spec.source}"


def test_every_workload_has_awkward_check_problems_and_bench_problems():
    for spec in all_specs():
        assert spec.workload.check_problems, spec.name
        assert spec.workload.bench_problems, spec.name


def test_select_by_family_and_name():
    names = [s.name for s in select(["transpose"])]
    assert names == ["transpose_naive", "transpose_coalesced", "transpose_padded"]
    assert [s.name for s in select(["copy", "transpose_naive"])] == ["copy", "transpose_naive"]


def test_unknown_kernel_suggests_close_names():
    with pytest.raises(UnknownNameError, match="did you mean transpose_padded"):
        get("transpose_pad")
    with pytest.raises(UnknownNameError, match="unknown kernel 'nope'"):
        select(["nope"])
