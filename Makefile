# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HOST ?= 127.0.0.1:8000
export DEBUG ?= true

.PHONY: run setup test install assets browser prod-check lint format clean

run: setup
	$(BIN)/python manage.py runportal $(HOST)

setup: install assets
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_taxonomies --if-empty
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py seed_personas
	$(BIN)/python manage.py rebuild_snapshots
	$(BIN)/python manage.py demo_users
	$(BIN)/python manage.py seed_demo_changes
	$(BIN)/python manage.py register_schedules

test: install assets browser
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

assets: static/govuk/.version

static/govuk/.version: package.json package-lock.json scripts/fetch_assets.sh
	bash scripts/fetch_assets.sh

# Debian's Chromium, for the browser tests (tests/system/).
browser:
	bash scripts/install_browser.sh

# The production configuration locally: gunicorn, a q2 cluster on Redis, PostgreSQL (README).
prod-check: install assets
	bash scripts/prod_check.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules static/govuk staticfiles
