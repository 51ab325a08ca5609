# gatebook developer tasks. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-slow lint setup bench screenshots docs clean

# compileall: byte-compile the checkout as pip does for an installed package, so the
# app starts without compiling its modules (PYTHONDONTWRITEBYTECODE stops caching).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,serve]"
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/gatebook

test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n auto -m "not slow"

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -n auto -m slow

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy --strict src/
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m benchmarks

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py screenshots

docs: $(STAMP)
	$(BIN)/python -m gatebook.tui.keys docs/using.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
