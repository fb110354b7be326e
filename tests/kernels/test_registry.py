"""Registry lookups by variant and by family, with helpful errors; every spec's tunables and
restrictions checked against the CUDA sources they configure."""
import itertools
import re
from pathlib import Path

import pytest

import warpbench.kernels
from warpbench.errors import UnknownNameError
from warpbench.kernels import all_specs, get, select
from warpbench.kernels.spec import KernelSpec

KERNEL_DIR = Path(warpbench.kernels.__file__).parent / "cuda"
FALLBACK = re.compile(r"^[ \t]*#ifndef[ \t]+(\w+)[ \t]*\n[ \t]*#define[ \t]+\1[ \t]+(\S+)", re.MULTILINE)
LOCAL_INCLUDE = re.compile(r'^[ \t]*#include[ \t]+"([^"]+)"', re.MULTILINE)


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


def _source_with_headers(name: str, seen=None) -> str:
    """The text of a kernel source and of the local headers it includes, recursively."""
    seen = set() if seen is None else seen
    if name in seen:
        return ""
    seen.add(name)
    text = (KERNEL_DIR / name).read_text()
    return text + "".join(_source_with_headers(h, seen) for h in LOCAL_INCLUDE.findall(text))


def _cuda_specs() -> list[KernelSpec]:
    return [s for s in all_specs() if isinstance(s, KernelSpec)]


def test_every_cu_fallback_equals_the_spec_default():
    """The ``#ifndef X / #define X v`` fallbacks only let a .cu compile on its own: the spec's
    default is what every build passes with -D, so the two must not drift apart."""
    for spec in _cuda_specs():
        text = _source_with_headers(spec.source)
        fallbacks = dict(FALLBACK.findall(text))
        body = FALLBACK.sub("", text)
        for t in spec.tunables:
            if re.search(rf"\b{t.name}\b", body):
                assert t.name in fallbacks, f"{spec.source} reads {t.name} of {spec.name} without a fallback"
                assert fallbacks[t.name] == str(t.default), (
                    f"{spec.source}: #define {t.name} {fallbacks[t.name]}, but {spec.name}'s default is {t.default}")


def test_every_cu_fallback_belongs_to_a_tunable():
    tunables: dict[str, set] = {}
    for spec in _cuda_specs():
        tunables.setdefault(spec.source, set()).update(t.name for t in spec.tunables)
    for source, names in tunables.items():
        orphans = set(dict(FALLBACK.findall(_source_with_headers(source)))) - names
        assert not orphans, f"{source}: fallbacks {sorted(orphans)} are no spec's tunables"


def test_the_fallback_pattern_reads_a_fallback():
    assert dict(FALLBACK.findall("#ifndef TILE\n#define TILE 32\n#endif\n#ifndef GUARD_H\n#define GUARD_H\n")) == {
        "TILE": "32"}


def test_every_restriction_reads_tunables_of_its_spec():
    for spec in all_specs():
        names = {t.name for t in spec.tunables}
        for rule in spec.restrictions:
            assert rule.names and rule.names <= names, f"{spec.name}: restriction '{rule.text}'"


def test_every_default_config_satisfies_the_restrictions():
    for spec in all_specs():
        assert spec.resolve() == spec.default_config
        assert spec.default_config in spec.space(), spec.name


def test_space_agrees_with_checking_each_config_of_the_product():
    for spec in all_specs():
        names = [t.name for t in spec.tunables]
        product = (dict(zip(names, values)) for values in itertools.product(*(t.values for t in spec.tunables)))
        expected = [c for c in product if all(r.holds(c) for r in spec.restrictions)]
        assert spec.space() == expected, spec.name


def test_check_list_shows_every_restriction_as_written():
    from warpbench.cli.check import list_rows
    shown = {row["kernel"]: " ; ".join(row["restrictions"]) for row in list_rows(all_specs())}
    for spec in all_specs():
        for rule in spec.restrictions:
            assert rule.text in shown[spec.name], f"{spec.name}: '{rule.text}'"


def test_family_is_the_module_that_registers_the_variant():
    from warpbench.kernels import family_of, get
    # conv2d imports gemm's specs; the gemm variants stay in their own family.
    assert family_of(get("sgemm_warptile")) == "gemm"
    assert family_of(get("lstm_cell")) == "lstm"
    assert family_of(get("conv2d_direct")) == "conv2d"
