"""Fixtures of the graph tests: the emulator device, skipped with the reason while it is not built."""
import pytest


@pytest.fixture(scope="session")
def emu():
    """The CUDA emulator device; the test skips when ``warpbench.emu`` is not built yet."""
    try:
        from warpbench import emu as module
    except ImportError as exc:
        pytest.skip(f"the CUDA emulator cannot be imported: {exc}")
    if not hasattr(module, "compile_module"):
        pytest.skip("the CUDA emulator (warpbench.emu) is not built yet")
    from warpbench.runtime import get_device
    return get_device("emu")
