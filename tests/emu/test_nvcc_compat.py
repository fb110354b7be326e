"""The test kernels are real CUDA: nvcc compiles them for sm_90 (item 32; no GPU needed).

Successes are remembered in the cache, keyed by the file and nvcc's version, so only
changed files are compiled again."""
import shutil
import subprocess

import pytest

from warpbench.cache import cache_dir, digest
from tests.emu.support import KERNELS

NVCC = shutil.which("nvcc")
VARIANTS = [(path.name, []) for path in sorted(KERNELS.glob("*.cu"))] + [
    ("races.cu", ["-DMISSING_BARRIER"]), ("sgemm.cu", ["-DSKIP_SECOND_BARRIER", "-DTILE=32"])]


@pytest.mark.skipif(NVCC is None, reason="nvcc is not installed")
@pytest.mark.parametrize("name,flags", VARIANTS, ids=[f"{n}{''.join(f)}" for n, f in VARIANTS])
def test_nvcc_compiles_the_test_kernel(name, flags, tmp_path):
    version = subprocess.run([NVCC, "--version"], capture_output=True, text=True, check=True).stdout
    marker = cache_dir("emu-nvcc-check") / digest(version, (KERNELS / name).read_bytes(), flags)
    if marker.exists():
        return
    done = subprocess.run([NVCC, "-cubin", "-arch=sm_90", *flags, "-o", str(tmp_path / "k.cubin"),
                           str(KERNELS / name)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    marker.touch()
