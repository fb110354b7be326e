"""Importing the host code shortens OpenMP's spin-wait, unless the user chose a wait policy."""
import os
import subprocess
import sys


def _spincount_after_import(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    code = "import os, warpbench.hostcode; print(os.environ.get('GOMP_SPINCOUNT', 'unset'))"
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_short_spin_by_default():
    assert _spincount_after_import() == "10000"


def test_the_users_choice_wins():
    assert _spincount_after_import(GOMP_SPINCOUNT="5") == "5"
    assert _spincount_after_import(OMP_WAIT_POLICY="active") == "unset"
