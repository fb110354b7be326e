"""Fixtures shared by the whole suite: devices, and the skip rule for GPU tests.

Tests marked ``gpu`` skip with the reason when CUDA is not usable here; everything else
runs everywhere, kernels on the CPU emulator.
"""
import pytest

from warpbench.check import CheckResult


@pytest.fixture(scope="session", autouse=True)
def empty_tuning_database(tmp_path_factory):
    """Point the tuner's results database at an empty file for the whole session, so that
    configurations tuned on this machine never replace the defaults tests expect."""
    import os
    path = tmp_path_factory.mktemp("tune") / "tune.sqlite"
    previous = os.environ.get("WARPBENCH_TUNE_DB")
    os.environ["WARPBENCH_TUNE_DB"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("WARPBENCH_TUNE_DB", None)
    else:
        os.environ["WARPBENCH_TUNE_DB"] = previous


def pytest_collection_modifyitems(config, items):
    from warpbench.runtime import cuda_status
    usable, reason = cuda_status()
    if usable:
        return
    skip = pytest.mark.skip(reason=f"needs a CUDA GPU: {reason}")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def emu():
    """The CUDA emulator device."""
    from warpbench.runtime import get_device
    return get_device("emu")


@pytest.fixture(scope="session")
def cpu():
    """The host-code device."""
    from warpbench.runtime import get_device
    return get_device("cpu")


@pytest.fixture(scope="session")
def cuda():
    """The GPU device (tests using it must be marked ``gpu``)."""
    from warpbench.runtime import get_device
    return get_device("cuda")


def assert_all_pass(results: list[CheckResult]) -> None:
    """Fail with every failing case's message (kernel, problem, first wrong element)."""
    assert results, "no problem was checked"
    failures = [f"{r.kernel} at {r.problem}: {r.message}" for r in results if not r.ok]
    assert not failures, "\n".join(failures)


@pytest.fixture
def assert_checks():
    """``assert_checks(results)`` fails listing every failing check result."""
    return assert_all_pass


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """A fresh, empty WARPBENCH_CACHE_DIR (``tmp_path / "cache"``) for one test."""
    from warpbench import cache
    monkeypatch.setenv("WARPBENCH_CACHE_DIR", str(tmp_path / "cache"))
    cache.reset()
    yield tmp_path / "cache"
    monkeypatch.undo()
    cache.reset()
