"""How the hostcode extensions were built, for benchmark reports and ``warpbench info``."""

cdef extern from *:
    # Read from the C compiler rather than from setup.py's HAVE_OPENMP: cythonize does not
    # regenerate an unchanged .pyx when only its compile-time constants change.
    """
    #ifdef _OPENMP
    #define WARPBENCH_OPENMP 1
    #else
    #define WARPBENCH_OPENMP 0
    #endif
    """
    int WARPBENCH_OPENMP

#: True when the extensions were compiled with OpenMP (prange loops run in parallel);
#: False when setup.py's probe failed or WARPBENCH_NO_OPENMP was set (serial loops).
OPENMP = bool(WARPBENCH_OPENMP)
