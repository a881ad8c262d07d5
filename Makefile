# deckmill: `make deck` builds decks/*.apkg from raw/; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: deck test lint bench realworld clean-venv

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (or run: make PYTHON=python3 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $(TEST_STAMP)

deck: $(STAMP)
	$(BIN)/deckmill build --raw raw --out decks

test: $(TEST_STAMP)
	$(BIN)/ruff check pipeline tests scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check pipeline tests scripts
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python scripts/benchmark.py
	$(BIN)/python scripts/bench_incremental.py

# score every page of ../shared/realworld (built in a scratch dir) against its expectations
realworld: $(STAMP)
	$(BIN)/python scripts/realworld.py $(ARGS)

clean-venv:
	rm -rf $(VENV)
