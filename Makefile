# Set-up is part of every target: a fresh machine needs only python3 (3.10+) and pip.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-fast bench lint figures schema clean system explore dist docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps re-install when pyproject.toml changes.
$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

# torch==2.14.1 / torchvision==0.29.1 are pinned: pip takes them from the
# machine's disk (an unpinned torch would download gigabytes).
$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test,parity,browser,dev,figures,notebook,docs,dask]"
	touch $@

# The fast lane has its own venv without the frameworks (torch, jax, onnxruntime, TensorFlow).
FAST := .venv-fast
$(FAST)/.stamp: pyproject.toml
	$(PYTHON) -m venv $(FAST)
	$(FAST)/bin/pip install -q -e ".[test,figures]"
	touch $@

demo: $(VENV)/.base
	$(BIN)/python -m roikit demo

# The explorer on the demo's map: a local page (Ctrl-C stops it).
explore: $(VENV)/.test
	$(BIN)/python -m roikit explore

# JavaScript test tools from npm, pinned by package-lock.json (axe-core checks the explorer's page).
node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's TeX Live and chromium, when missing (apt; the tests compile LaTeX and drive a browser).
system:
	tools/install-system-packages

# ROIKIT_REQUIRE_PARITY=1: the run fails unless the torchvision/onnxruntime parity tests ran;
# ROIKIT_REQUIRE_LATEX / _BROWSER: the LaTeX and browser tests may not skip either.
test: $(VENV)/.test system node_modules/.stamp
	ROIKIT_REQUIRE_PARITY=1 ROIKIT_REQUIRE_LATEX=1 ROIKIT_REQUIRE_BROWSER=1 $(BIN)/python -m pytest

# Between edits: no frameworks, browser, LaTeX or fresh interpreters, and fewer fuzz examples.
test-fast: $(FAST)/.stamp
	ROIKIT_FUZZ_EXAMPLES=300 $(FAST)/bin/python -m pytest -q -n 2 -m "not parity and not latex and not browser and not subprocess"

bench: $(VENV)/.test
	$(BIN)/python benchmarks/bench_ops.py
	$(BIN)/python benchmarks/bench_grid.py --scaling docs/figures/scaling.png
	$(BIN)/python benchmarks/bench_models.py
	$(BIN)/python benchmarks/bench_dask.py
	$(BIN)/python benchmarks/load_explore.py --clients 20 --seconds 20

lint: $(VENV)/.test
	$(BIN)/ruff check src tests benchmarks tools docs/site conftest.py
	$(BIN)/ruff format --check src tests benchmarks tools docs/site conftest.py
	$(BIN)/mypy
	$(BIN)/lint-imports

# The sdist and the wheel (dist/), checked as a package index would read them.
dist: $(VENV)/.test
	rm -rf dist
	$(BIN)/python -m build --sdist --wheel --outdir dist
	$(BIN)/twine check --strict dist/*

# The documentation site, offline, warnings as errors: build/docs/html/index.html (English), ko/ (Korean).
docs: $(VENV)/.test
	rm -rf build/docs
	$(BIN)/sphinx-build -W --keep-going -b html docs/site build/docs/html

# The README's pictures: the demo's figures, regenerated and committed.
figures: $(VENV)/.test
	$(BIN)/python -m roikit demo --figures docs/figures > /dev/null

# docs/trace.schema.json from the trace records (a test fails when it is out of date).
schema: $(VENV)/.test
	$(BIN)/python tools/trace_schema.py

clean:
	rm -rf $(VENV) $(FAST) .pytest_cache .hypothesis .mypy_cache .ruff_cache
