"""Build the Cython host code of warpbench.

Every ``warpbench/hostcode/*.pyx`` becomes an extension module. No CUDA toolkit or GPU
is needed. OpenMP is used when a probe program compiles, links and runs with
``-fopenmp``; set ``WARPBENCH_NO_OPENMP=1`` to build without it (the code stays correct,
loops just run serially).
"""
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from setuptools import Extension, setup

PROBE = r"""
#include <omp.h>
#include <stdio.h>
int main(void) {
    int n = 0;
    #pragma omp parallel reduction(+:n)
    n += 1;
    printf("%d\n", n >= 1);
    return 0;
}
"""


def openmp_flags():
    """Return the compile/link flag list for OpenMP, or [] when the compiler lacks it."""
    if os.environ.get("WARPBENCH_NO_OPENMP"):
        return []
    compiler = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    compiler = compiler.split()[0]
    if not shutil.which(compiler):
        return []
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = Path(tmp, "probe.c"), Path(tmp, "probe")
        src.write_text(PROBE)
        built = subprocess.run([compiler, "-fopenmp", str(src), "-o", str(exe)],
                               capture_output=True)
        if built.returncode != 0:
            return []
        ran = subprocess.run([str(exe)], capture_output=True, text=True)
        return ["-fopenmp"] if ran.returncode == 0 and ran.stdout.strip() == "1" else []


def extensions():
    """One extension per .pyx file under warpbench/hostcode."""
    import numpy
    from Cython.Build import cythonize

    omp = openmp_flags()
    print(f"warpbench: OpenMP {'enabled' if omp else 'not available, building serial loops'}",
          file=sys.stderr)
    mods = []
    for pyx in sorted(Path("warpbench/hostcode").glob("*.pyx")):
        mods.append(Extension(
            f"warpbench.hostcode.{pyx.stem}", [str(pyx)],
            include_dirs=[numpy.get_include()],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            extra_compile_args=["-O3", "-g0", *omp],
            extra_link_args=omp,
        ))
    return cythonize(mods, language_level=3,
                     compiler_directives={"boundscheck": False, "wraparound": False,
                                          "cdivision": True, "initializedcheck": False})


# Extensions compile in parallel: the generated C is large and a fresh CI machine builds it all.
setup(ext_modules=extensions(), options={"build_ext": {"parallel": os.cpu_count() or 1}})
