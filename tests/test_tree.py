"""The tree keeps its own rules: small files, documented public API, a README layout that is true."""
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import warpbench

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "warpbench"
SOURCE_SUFFIXES = {".py", ".pyx", ".pxd", ".cu", ".cuh", ".cpp", ".h"}
MAX_LINES = 400


def _modules():
    for info in pkgutil.walk_packages(warpbench.__path__, "warpbench."):
        if info.name == "warpbench.__main__":
            continue
        yield info.name


def test_no_source_file_is_over_the_limit():
    long = [f"{p.relative_to(ROOT)} ({n} lines)" for p in sorted(PACKAGE.rglob("*"))
            if p.suffix in SOURCE_SUFFIXES and (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert not long, f"files over {MAX_LINES} lines: {', '.join(long)}"


def _undocumented(module) -> list[str]:
    """Public functions, classes and methods defined in ``module`` whose docstring (own or, for an
    override, inherited as inspect.getdoc finds it) is missing."""
    missing = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__ \
                or getattr(obj, "__name__", name) != name:   # aliases and loop leftovers, not definitions
            continue
        if inspect.isfunction(obj) and not inspect.getdoc(obj):
            missing.append(name)
        elif inspect.isclass(obj):
            if not inspect.getdoc(obj):
                missing.append(name)
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                is_method = inspect.isfunction(member) and member.__name__ != "<lambda>"  # lambdas: field defaults
                if (is_method or isinstance(member, property)) and not inspect.getdoc(getattr(obj, attr, member)):
                    missing.append(f"{name}.{attr}")
    return missing


@pytest.mark.parametrize("name", sorted(_modules()))
def test_public_api_is_documented(name):
    try:
        module = importlib.import_module(name)
    except ImportError as exc:   # an optional dependency (PyCUDA) is not installed here
        pytest.skip(f"{name} needs {exc.name}")
    assert inspect.getdoc(module), f"{name} has no module docstring"
    missing = _undocumented(module)
    assert not missing, f"{name}: no docstring for {', '.join(missing)}"


def test_readme_layout_matches_the_tree():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Layout", 1)[1].split("```")[1]
    named = set(re.findall(r"(?:^|\s)([\w./]+/)", block))
    for path in named:
        assert (ROOT / path).is_dir(), f"README layout names {path}, which is not a folder"
    packages = {f"warpbench/{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages <= named, f"README layout misses {', '.join(sorted(packages - named))}"
