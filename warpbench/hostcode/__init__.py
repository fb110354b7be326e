"""Host code: the Cython CPU implementation of every workload (the CUDA emulator is ``warpbench.emu``).

OpenMP threads that keep spinning after a parallel loop steal the cores BLAS's own threads
need: on two cores conv2d (im2col + GEMM) ran 4x and the LSTM sequence 3x slower. Unless
the user chose a policy, they spin briefly and then sleep (libgomp reads this when the
first extension loads it, i.e. on the first ``warpbench.hostcode`` submodule import).
"""
import os

if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")
