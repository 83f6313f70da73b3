# The README's contract: `make run` starts Muster, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format clean backup restore

$(INSTALLED): requirements/base.txt requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "muster: Python 3.11 is required (found " + sys.version.split()[0] + "); set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	@touch $(INSTALLED)

run: $(INSTALLED)
	@$(BIN)/python scripts/run_local.py

# The service tests again on SQLite, `make run`'s embedded default (in memory, about a minute).
SQLITE_TESTS := tests/core tests/events tests/polls tests/carpool tests/jira_sync tests/sheets_export tests/community tests/leave tests/desk tests/standups tests/teams tests/timeline tests/results tests/api tests/dashboard tests/test_admin.py tests/test_migrations.py

# Two pytest-xdist workers, each with its own PostgreSQL and Redis, one test file at a time:
# most e2e time is spent waiting on child processes, so two cores overlap it.
# `make test PYTEST_WORKERS=0` runs the suite in one process.
PYTEST_WORKERS ?= 2

test: $(INSTALLED)
	@scripts/system_deps.sh redis postgres compose browser k8s promtool
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=15
	DATABASE_URL=sqlite:///:memory: $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) -m "not e2e and not postgres" $(SQLITE_TESTS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The database into one file, and back (core/backups.py: pg_dump/pg_restore custom format on
# PostgreSQL, SQLite's backup API otherwise). `make restore` wants an empty database unless
# RESTORE_FLAGS=--replace.
BACKUP ?= var/muster-$(shell date -u +%Y%m%dT%H%M%SZ).backup

backup: $(INSTALLED)
	@mkdir -p $(dir $(BACKUP))
	$(BIN)/python manage.py backup --output $(BACKUP)

restore: $(INSTALLED)
	@test -n "$(BACKUP_FILE)" || { echo "muster: make restore BACKUP_FILE=path/to/file.backup"; exit 2; }
	$(BIN)/python manage.py restore --input $(BACKUP_FILE) $(RESTORE_FLAGS)

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
