# PeerTables. `make run` for the demo, `make test` for the suite.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# uv from PATH, else the copy pip installs as a module (see `bootstrap`).
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
HOST ?= 127.0.0.1
PORT ?= 8000
# The languages besides English (settings.LANGUAGES), and what makemessages must not read:
# the virtualenv, run-time files, static files (no JavaScript text is translated: pages pass
# their words to the scripts in data- attributes), tests and tooling.
LOCALES := de es
I18N_IGNORE := --ignore=.venv --ignore=var --ignore=static --ignore=staticfiles --ignore=tests --ignore=bench --ignore=deploy

.PHONY: help bootstrap sync migrate seed run prod worker test test-fast bench bench-instructions bench-reminders profile lint format check-deploy clean messages compilemessages

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

bootstrap: ## Install uv when it is missing (needs only python3)
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

sync: bootstrap ## Create .venv with the locked dependencies
	$(UV) sync --frozen

migrate: sync ## Apply database migrations
	$(UV) run python manage.py migrate --noinput

seed: migrate ## Load the demo data (idempotent)
	$(UV) run python manage.py seed_demo

run: seed ## Set up and serve the demo at http://127.0.0.1:8000 with a Celery worker and beat
	@echo "Serving http://$(HOST):$(PORT)/ with a Celery worker and beat. Ctrl-C stops everything."
	HOST=$(HOST) PORT=$(PORT) $(UV) run honcho --procfile Procfile.dev start

prod: sync ## Production: check the env, migrate, collectstatic, N gunicorns, M workers, one beat (docs/DEPLOY.md)
	HOST=$(HOST) PORT=$(PORT) $(UV) run python -m deploy.processes start

worker: sync ## Run a Celery worker with beat (alone)
	$(UV) run celery -A config worker --beat --loglevel INFO

# Run a second time on SQLite when the suite ran on PostgreSQL: the two databases refuse
# different bad input (SQLite cannot bind an integer past 64 bits, PostgreSQL a NUL in text).
BOTH_DATABASES_TESTS := tests/security/test_bad_input.py tests/security/test_forms_fuzz.py

# The compiled catalogs (locale/*/LC_MESSAGES/django.mo) are committed, so tests and `make run`
# need no gettext tools; tests/test_i18n.py fails when one is stale against its .po.
test: sync ## Lint, check the layers (lint-imports), then run every test (SQLite by default; PostgreSQL when DATABASE_URL is set, then the bad-input tests on SQLite too)
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run lint-imports --no-logo
	$(UV) run pytest
	@if [ -n "$${DATABASE_URL:-}" ]; then \
		echo "The bad-input tests again, on SQLite:"; \
		env -u DATABASE_URL $(UV) run pytest $(BOTH_DATABASES_TESTS); \
	fi

test-fast: sync ## The suite without the browser tests
	$(UV) run pytest -m "not e2e" -x -q

messages: sync ## Update locale/{de,es} from every marked string, then compile; translate the new ones (tests/test_i18n.py lists them)
	$(UV) run python manage.py makemessages $(addprefix -l ,$(LOCALES)) $(I18N_IGNORE) --add-location=file --no-obsolete
	$(MAKE) compilemessages

compilemessages: sync ## Compile locale/*/LC_MESSAGES/django.po into the .mo files Django reads (both are committed)
	$(UV) run python manage.py compilemessages $(addprefix -l ,$(LOCALES)) --ignore=.venv

bench: sync ## Seed a large data set into PostgreSQL, load-test every page cached and uncached and a live circle under gunicorn, write docs/PERFORMANCE.md
	$(UV) run python -m bench.run

profile: sync ## Profile the circle, meeting, thread, directory and landing pages with every cache off (cProfile, queries, templates): docs/PROFILE.md
	$(UV) run python -m bench.profile

bench-instructions: sync ## Count the instructions a request of each target page executes, under valgrind (the before/after number that does not move with the machine)
	$(UV) run python -m bench.instructions

bench-reminders: sync ## Time 1 and 2 Celery workers sending 10,000 due reminders to an SMTP sink (docs/PERFORMANCE.md)
	$(UV) run python -m bench.reminders

lint: sync ## ruff check and format check; the import layers (docs/ARCHITECTURE.md)
	$(UV) run ruff check . && $(UV) run ruff format --check . && $(UV) run lint-imports --no-logo

format: sync ## Apply ruff's fixes and formatting
	$(UV) run ruff check --fix . && $(UV) run ruff format .

clean: ## Remove the local database, mail, broker files and caches
	rm -rf var/ staticfiles/ .pytest_cache .ruff_cache .import_linter_cache
