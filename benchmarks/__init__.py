"""The asv suite of warpbench (run from the repository root; see README "Benchmarks").

GPU benchmarks report device seconds from CUDA events (``track_*`` with unit seconds,
lower is better as asv assumes) and skip when CUDA is unavailable; CPU benchmarks time
the Cython host code against NumPy with asv's own timer. Variants and configurations are read
from the kernel registry (``grids``), never listed here.
"""
