# Two commands for a newcomer: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.netsurv-installed

.PHONY: test docs demo lint typecheck bench bench-scale clean

$(STAMP): pyproject.toml setup.py $(wildcard netsurv/*.h netsurv/*/*.c netsurv/*/*.h)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check netsurv tests benchmarks
	$(BIN)/ruff format --check netsurv tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy netsurv

# Sphinx site: API reference + docs/*.md; warnings (and unresolved references) are errors;
# -E: a fresh build every time (autodoc does not notice a changed docstring).
docs: $(STAMP)
	$(BIN)/python -m sphinx -b html -E -n -W --keep-going -q docs docs/_build/html

test: lint typecheck docs
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 -q tests

demo: $(STAMP)
	MPLBACKEND=Agg $(BIN)/netsurv demo -o report

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_km.py
	$(BIN)/python benchmarks/bench_relative.py
	$(BIN)/python benchmarks/bench_classify.py
	$(BIN)/python benchmarks/bench_read.py

bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py

clean:
	rm -rf $(VENV) netsurv/*/*.so report docs/_build .pytest_cache .mypy_cache .ruff_cache build *.egg-info
