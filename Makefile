# Learning Lab — the usual targets. `make run` and `make test` are the two you need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install run demo-db test test-fast lint format check messages compilemessages bench bench-scale loadtest worker beat collectstatic browser-deps clean

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

compilemessages: install
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# Regenerate the sv and nl catalogues after changing user-facing strings.
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l sv -l nl --no-location --no-obsolete \
		--ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests -e html,txt,py

collectstatic: install
	DEBUG=1 $(PY) manage.py collectstatic --noinput -v 0

# Fresh clone → running demo: SQLite, in-process tasks, console email, seeded data.
# Links in emails, calendar files and exports point at the port the demo serves on.
DEMO_SITE_URL = $${SITE_URL:-http://127.0.0.1:$(PORT)}

run: install compilemessages collectstatic
	DEBUG=1 SITE_URL=$(DEMO_SITE_URL) $(PY) manage.py migrate --noinput -v 0
	DEBUG=1 SITE_URL=$(DEMO_SITE_URL) $(PY) manage.py seed_demo
	@echo "Learning Lab runs at http://127.0.0.1:$(PORT)/ (demo logins: coordinator@example.org, organiser@example.org, funder@example.org; password: learninglab)"
	DEBUG=1 SITE_URL=$(DEMO_SITE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

tests/browser/node_modules/axe-core/axe.min.js: tests/browser/package.json
	cd tests/browser && npm install --no-audit --no-fund --silent
	touch $@

browser-deps: tests/browser/node_modules/axe-core/axe.min.js

check: install
	DJANGO_SETTINGS_MODULE=config.settings_test $(PY) manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=config.settings_test $(PY) manage.py makemigrations --check --dry-run -v 1

# ruff, and the import layers between our apps (pyproject.toml's import-linter contract).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Every test, against PostgreSQL and Redis on their default local ports
# (override with DATABASE_URL / REDIS_URL), in two processes (pytest-xdist; PYTEST_WORKERS=N
# changes it, 0 runs in one): each has its own test database and Redis database.
PYTEST_WORKERS ?= 2
# Work stealing: a worker that runs out of tests takes the other's remaining ones, so the few
# long tests (the browser sweep, 3-4 minutes per language) do not leave one worker idle at the end.

test: install compilemessages collectstatic browser-deps check lint
	$(PY) -m pytest --ds=config.settings_test --create-db -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test-fast: install compilemessages
	$(PY) -m pytest --ds=config.settings_test -m "not browser and not services" $(PYTEST_ARGS)

# Benchmarks against PostgreSQL: prints queries, median and p95 as ratios to a floor view.
# DEBUG off as in production; its own PostgreSQL database (created, migrated and filled with
# seed_bench's 10,000 members and 2,000 organisations on first use) unless DATABASE_URL is set.
# DEVTOOLS=1 installs the devtools app (bench, seed_bench) that production leaves out.
bench: install compilemessages collectstatic
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/learninglab_bench} \
	DEBUG=0 DEVTOOLS=1 SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key-not-for-production-0123456789} SECURE_SSL_REDIRECT=0 \
	EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.locmem.EmailBackend} \
		$(PY) manage.py bench $(BENCH_ARGS)

# Issue 16's ten-times network: the bench at seed_bench's default size and at --scale 10
# (100,000 members, 20,000 organisations and exchanges, 1,000,000 registrations, 500,000
# evidence records), each in its own database (seeded on first use), then every page's median
# side by side; "!!" marks a page whose median at 10x is more than 1.5x its median at 1x.
# BENCH_ARGS applies to both runs (e.g. "--only network --requests 30").
BENCH_DB_1X ?= postgres://postgres@127.0.0.1:5432/learninglab_bench
BENCH_DB_10X ?= postgres://postgres@127.0.0.1:5432/learninglab_bench_x10
bench-scale: install compilemessages collectstatic
	$(MAKE) bench DATABASE_URL=$(BENCH_DB_1X) BENCH_ARGS="$(BENCH_ARGS) --json bench-1x.json"
	$(MAKE) bench DATABASE_URL=$(BENCH_DB_10X) BENCH_ARGS="$(BENCH_ARGS) --scale 10 --json bench-10x.json"
	DEVTOOLS=1 $(PY) manage.py bench_compare bench-1x.json bench-10x.json

# The whole stack under load (issue 16): gunicorn (4 workers), 2 Celery workers and beat on a
# private Redis, an SMTP sink, PostgreSQL with seed_bench data (its own database, seeded on
# first use), driven by Locust in headless mode on 127.0.0.1 only. Prints requests, failures,
# median, p95 and p99 per endpoint, checks the invariants, and ends with one summary line.
# LOADTEST_ARGS="--users 200 --duration 300" sets the load (default 100 users for 120 s).
loadtest: install compilemessages collectstatic
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/learninglab_loadtest} \
	DEBUG=0 DEVTOOLS=1 SECRET_KEY=$${SECRET_KEY:-loadtest-only-secret-key-not-for-production-0123456789} \
	SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1,localhost,testserver LOG_LEVEL=WARNING \
	EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend \
		$(PY) manage.py loadtest $(LOADTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=$${CONCURRENCY:-2}

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 tests/browser/node_modules
