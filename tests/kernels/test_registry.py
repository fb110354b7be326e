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


def test_numpy_baselines_agree_with_the_references():
    import numpy as np
    rng = np.random.default_rng(0)
    workloads = {s.workload.name: s.workload for s in all_specs()}
    for workload in workloads.values():
        for problem in workload.check_problems[:4]:
            inputs = workload.make_inputs(problem, rng)
            expected, baseline = workload.reference(problem, inputs), workload.numpy_baseline(problem, inputs)
            rtol, atol = workload.tolerance(problem)
            for name, want in expected.items():
                got = baseline[name]
                assert got.dtype == want.dtype and got.shape == want.shape, (workload.name, name)
                np.testing.assert_allclose(got, want, rtol=20 * rtol + 1e-6, atol=20 * atol + 1e-6,
                                           err_msg=f"{workload.name} at {workload.describe(problem)}")
