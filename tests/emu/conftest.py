"""Fixtures of the emulator tests: the test kernels (compiled once per session, cached on
disk across sessions) and the schedules every semantic test runs under."""
import pytest

from warpbench import emu
from tests.emu.support import KERNELS, SCHEDULES


@pytest.fixture(scope="session")
def kernels():
    """``kernels("file.cu", **compile_kwargs)`` -> EmuModule, loaded once per session."""
    loaded = {}

    def load(name: str, **kwargs):
        key = (name, repr(sorted(kwargs.items())))
        if key not in loaded:
            loaded[key] = emu.compile_file(KERNELS / name, **kwargs)
        return loaded[key]
    return load


@pytest.fixture(params=SCHEDULES, ids=[f"{t}-{b}" for t, b in SCHEDULES])
def schedule(request):
    """Launch keywords for one (thread order, block order) pair."""
    thread_order, block_order = request.param
    return {"thread_order": thread_order, "block_order": block_order}
