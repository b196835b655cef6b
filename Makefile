# 领军人才培训管理平台 — two commands: `make run`, `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WORKERS ?= 2
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup run serve test test-sqlite test-postgres bench lint format clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
	bash scripts/system-deps.sh

# Migrate, load reference + demo data (idempotent), collect static files, serve.
run: setup
	mkdir -p var
	$(PY) -m lingjun migrate --noinput
	$(PY) -m lingjun load_demo
	$(PY) -m lingjun collectstatic --noinput -v 0
	@echo "领军人才培训管理平台: http://127.0.0.1:$(PORT)/"
	$(VENV)/bin/gunicorn lingjun.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile -

# The whole suite, on SQLite and then on a PostgreSQL cluster started on loopback.
test: setup
	bash scripts/test.sh

test-sqlite: setup
	bash scripts/test.sh sqlite

test-postgres: setup
	bash scripts/test.sh postgres

bench: setup
	bash scripts/bench.sh

lint: setup
	$(VENV)/bin/ruff check src bench tests
	$(VENV)/bin/ruff format --check src bench tests

format: setup
	$(VENV)/bin/ruff format src bench tests
	$(VENV)/bin/ruff check --fix src bench tests

clean:
	rm -rf $(VENV) staticfiles test-artifacts
