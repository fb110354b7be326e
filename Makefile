# Two entry points for a fresh machine (see README):
#   make run   creates .venv, installs warpbench, runs `warpbench run` on the default device
#   make test  installs the test extras and runs the whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SOURCES := pyproject.toml setup.py $(wildcard warpbench/hostcode/*.pyx warpbench/hostcode/*.pxd)
BUILDING := @echo "installing warpbench into $(VENV): compiling the Cython host code takes a few minutes"

.PHONY: run test bench clean

$(VENV)/.installed: $(SOURCES)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(BUILDING)
	$(PY) -m pip install --quiet -e .
	touch $@

# One install with the extras: a second `pip install -e` would rebuild every extension.
$(VENV)/.installed-test: $(SOURCES)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(BUILDING)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(VENV)/bin/warpbench run

test: $(VENV)/.installed-test
	$(PY) -m pytest -n auto --dist worksteal --benchmark-disable -q
	$(VENV)/bin/asv check --python=same

# Saved under .benchmarks/ (compare a later run with --benchmark-compare), with SVG histograms.
bench: $(VENV)/.installed-test
	$(PY) -m pytest tests/benchmarks --benchmark-group-by=group --benchmark-sort=name --benchmark-autosave \
		--benchmark-histogram=.benchmarks/histogram

clean:
	rm -rf build dist $(VENV) report .asv .pytest_cache .benchmarks *.egg-info warpbench/hostcode/*.so warpbench/hostcode/*.c warpbench/hostcode/*.cpp
