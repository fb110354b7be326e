"""The packaging configuration: an SPDX license, no generated C in the wheel, a complete sdist.

A real ``python -m build`` compiles every Cython module (minutes), so this checks the rules
the build follows: MANIFEST.in, applied by setuptools' own file list to the tracked files
plus typical build outputs, and pyproject.toml's license, build requirements and extras.
"""
import subprocess
import tomllib
from pathlib import Path

import pytest
from setuptools.command.egg_info import FileList

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: What a build leaves in the tree: Cython's C, compiled modules, byte code, a venv.
BUILD_OUTPUTS = ["warpbench/hostcode/blas.c", "warpbench/hostcode/blas.cpython-311-x86_64-linux-gnu.so",
                 "tests/__pycache__/conftest.cpython-311.pyc", ".venv/bin/python", "build/lib/warpbench/cli/args.py"]
#: Files setuptools puts in every sdist by itself (the package's modules, its configuration).
AUTOMATIC = {"pyproject.toml", "setup.py", "MANIFEST.in"}


def tracked_files() -> list[str]:
    """The files of the git checkout (an unpacked sdist has no .git: nothing to compare against)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return listed.stdout.split()


def sdist_files(files: list[str]) -> set[str]:
    """Which of ``files`` MANIFEST.in puts in the sdist, as setuptools applies it: after its
    defaults, which include every extension's sources (Cython's C, once setup.py cythonized)."""
    manifest = FileList()
    manifest.set_allfiles(files)
    manifest.extend(f for f in files if f.startswith("warpbench/hostcode/") and f.endswith(".c"))
    for line in (ROOT / "MANIFEST.in").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            manifest.process_template_line(line)
    return set(manifest.files)


def test_the_sdist_holds_every_tracked_file_and_no_build_output():
    files = tracked_files()
    listed = sdist_files(files + BUILD_OUTPUTS)
    package_modules = {f for f in files if f.startswith("warpbench/") and f.endswith(".py")}
    missing = set(files) - listed - package_modules - AUTOMATIC - {".gitignore"}
    assert not missing, f"tracked files missing from the sdist: {sorted(missing)}"
    assert not listed & set(BUILD_OUTPUTS)
    for needed in ("tests/conftest.py", "benchmarks/grids.py", "asv.conf.json", "Makefile", "BENCHMARKS.md",
                   "warpbench/hostcode/blas.pyx", "warpbench/emu/include/cassert", "tests/emu/kernels/sgemm.cu"):
        assert needed in listed


def test_the_wheel_leaves_out_cython_output_but_keeps_the_emulator_sources():
    tool = PYPROJECT["tool"]["setuptools"]
    assert {"*.c", "*.cpp"} <= set(tool["exclude-package-data"]["warpbench.hostcode"])
    assert {"*.cpp", "*.h", "*.cu", "*.cuh", "cassert"} <= set(tool["package-data"]["*"])


def test_the_wheel_and_the_sdist_carry_the_networks_corpus():
    assert PYPROJECT["tool"]["setuptools"]["package-data"]["warpbench.networks"] == ["corpus/*.txt"]
    corpus = "warpbench/networks/corpus/alice_chapter1.txt"
    assert corpus in sdist_files([corpus])


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it():
    assert PYPROJECT["project"]["license"] == "MIT"
    [setuptools] = [r for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")]
    assert setuptools == "setuptools>=77"  # the first setuptools with PEP 639 license strings


def test_test_extras_carry_the_histogram_extra():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(r.startswith("pytest-benchmark[histogram]") for r in extras["test"])
    assert {"rich>=13", "tabulate>=0.9"} <= set(PYPROJECT["project"]["dependencies"])


def test_editable_installs_use_a_path_file():
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"": "."}
