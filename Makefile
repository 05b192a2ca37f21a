# Two commands for a newcomer: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.netsurv-installed

.PHONY: test demo lint typecheck bench bench-scale clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check netsurv tests benchmarks
	$(BIN)/ruff format --check netsurv tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy netsurv

test: lint typecheck
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
	rm -rf $(VENV) report .pytest_cache .mypy_cache .ruff_cache build *.egg-info
