"""The CUDA-on-CPU emulator: one launch of a 256^3 tiled SGEMM with 16x16 tiles (256 blocks
of 256 fibers, 32 barriers per thread) under each thread order, on one core.

The kernel is the emulator tests' own (tests/emu/kernels/sgemm.cu); compiling it
happens in setup (cached on disk), so only the launch is timed.
"""
from pathlib import Path

import numpy as np

SGEMM = Path(__file__).resolve().parents[1] / "tests" / "emu" / "kernels" / "sgemm.cu"
SIZE, TILE = 256, 16


class EmulatorSgemm:
    """Seconds per launch of the emulated SGEMM."""

    params = (["forward", "reverse", "random:1"],)
    param_names = ["thread_order"]
    timeout = 300

    def setup(self, thread_order):
        """Compile (cached), make the operands, and launch once to map the fiber stacks."""
        from warpbench import emu
        self.kernel = emu.compile_file(SGEMM, defines={"TILE": TILE}).get_function("sgemm_tiled")
        rng = np.random.default_rng(0)
        a, b = (rng.standard_normal((SIZE, SIZE), dtype=np.float32) for _ in range(2))
        n = np.int32(SIZE)
        self.args = (emu.to_device(a), emu.to_device(b), emu.empty((SIZE, SIZE), np.float32), n, n, n)
        self.time_sgemm_256(thread_order)

    def time_sgemm_256(self, thread_order):
        """One launch."""
        self.kernel(*self.args, grid=(SIZE // TILE, SIZE // TILE), block=(TILE, TILE), thread_order=thread_order)
