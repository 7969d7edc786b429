# Two commands matter: `make run` starts the whole system, `make test` proves it works.
# Both set everything up on a fresh machine (Python 3.11+ is all they need). `make help` lists
# every target.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help run run-split test lint format bench migrate reset clean

run: $(STAMP) ## start the whole system on :8000 (services mounted in the gateway) and a worker
	$(BIN)/python -m deploy.local run

run-split: $(STAMP) ## the same with each service in its own process (PROFILES_URL... say where)
	SERVICE_MODE=split $(BIN)/python -m deploy.local run

test: $(STAMP) lint ## lint, then the whole test suite against real PostgreSQL and Redis
	$(BIN)/python -m deploy.local test

lint: $(STAMP) ## ruff check, ruff format --check and mypy (strict)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP) ## fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) ## benchmarks (ARGS=gateway, profiles, outbox, requests, matching, apply or progress for one of them)
	$(BIN)/python -m deploy.local bench $(ARGS)

migrate: $(STAMP) ## bring the database schema up to date
	$(BIN)/mentorship migrate

reset: $(STAMP) ## wipe the embedded PostgreSQL and Redis data under .data/ (asks first; ARGS=--yes)
	$(BIN)/mentorship reset $(ARGS)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/\1|\2/' \
		| awk -F'|' '{ printf "  %-10s %s\n", $$1, $$2 }'

# The virtualenv is rebuilt only when the project's dependencies change.
$(STAMP): pyproject.toml deploy/requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c deploy/requirements.lock -e '.[dev]'
	touch $(STAMP)

clean: ## remove the virtualenv and tool caches (the data under .data/ stays)
	rm -rf $(VENV) .mypy_cache .ruff_cache
