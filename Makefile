# Two commands matter: `make run` starts the whole system, `make test` proves it works.
# Both set everything up on a fresh machine (Python 3.11+ is all they need).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run run-split test lint format bench migrate clean

run: $(STAMP)
	$(BIN)/python -m deploy.local run

run-split: $(STAMP)
	SERVICE_MODE=split $(BIN)/python -m deploy.local run

test: $(STAMP) lint
	$(BIN)/python -m deploy.local test

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m deploy.local bench $(ARGS)

migrate: $(STAMP)
	$(BIN)/mentorship migrate

# The virtualenv is rebuilt only when the project's dependencies change.
$(STAMP): pyproject.toml deploy/requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c deploy/requirements.lock -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
