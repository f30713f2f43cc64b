# Two commands on a fresh machine with python3 (3.11+): `make run` and `make test`.

PYTHON ?= python3
# Python keeps its bytecode caches here, even on a machine whose environment turns them off:
# without them every process compiles every module it imports again (pytest rewrites its
# plugins' modules too), seconds in each of the suite's processes and the server's workers.
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

# Local development only: debug on, a throwaway key, plain HTTP on 127.0.0.1.
DEV_ENV := DJANGO_DEBUG=1 DJANGO_SECRET_KEY=development-only-not-secret
# One-off commands (backup, restore) also work in a development checkout with nothing set.
OPS_ENV := DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-development-only-not-secret} \
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1}
# Tests run in production mode (debug off) but over plain HTTP.
TEST_ENV := DJANGO_SECRET_KEY=tests-only-not-secret DJANGO_SECURE_SSL_REDIRECT=0 \
	DJANGO_ALLOWED_HOSTS=testserver,localhost DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: install install-dev run admin serve backup restore loadtest bench test pytest lint typecheck \
	format screenshots

# What a server installs (requirements.txt) ...
$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# ... and, on top of it, the test, lint, type-check and bench tools (requirements-dev.txt,
# which starts with -r requirements.txt): one pip run resolves both on a new machine.
$(BIN)/.installed-dev: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(BIN)/.installed $@

install: $(BIN)/.installed

install-dev: $(BIN)/.installed-dev

## run: install, migrate, load the fixtures into an empty database, serve on 127.0.0.1:8000
run: install
	$(DEV_ENV) $(MANAGE) migrate --noinput
	$(DEV_ENV) $(MANAGE) load_initial_data
	$(DEV_ENV) $(MANAGE) collectstatic --noinput --verbosity 0
	@echo
	@echo "Development server (for production see README, 'Deploying'): http://127.0.0.1:8000/"
	@echo "Admin: create an account with 'make admin' (or '$(MANAGE) createsuperuser'),"
	@echo "then sign in at http://127.0.0.1:8000/admin/"
	@echo
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8000

## serve: production server: gunicorn (workers from WEB_CONCURRENCY) with whitenoise, debug off;
## the app is loaded once and each worker forked from it (--preload): a worker that dies is
## replaced at once, and the workers share the loaded code
## Needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS; see README, "Deploying".
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo "Set DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (README, Deploying)."; exit 2; }
	DJANGO_DEBUG=0 $(MANAGE) migrate --noinput
	DJANGO_DEBUG=0 $(MANAGE) collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 $(BIN)/gunicorn worldcup.wsgi:application --bind $${BIND:-127.0.0.1:8000} \
		--preload --access-logfile - --timeout 30 --graceful-timeout 30

## backup: a copy of the whole database (history included) into backups/
backup: install
	$(OPS_ENV) $(MANAGE) backup $(FILE)

## restore: FILE=backups/... replaces the database's contents with that backup
restore: install
	@test -n "$(FILE)" || { echo "Give the backup: make restore FILE=backups/worldcup-....sqlite3"; exit 2; }
	$(OPS_ENV) $(MANAGE) restore $(FILE)

## loadtest: 50 readers and 4 officials against gunicorn for LOADTEST_SECONDS (60), an import
## and heats typed while reading, then a killed import; SQLite, and PostgreSQL too when
## LOADTEST_DATABASE_URL names a database
loadtest: install-dev
	$(BIN)/python bench/loadtest.py

## bench: build a 30-season history and measure it; writes bench/results.md (needs wrk).
## SQLite always; PostgreSQL too when DATABASE_URL names a database whose name contains "bench"
bench: install-dev
	$(BIN)/python bench/run.py $(ARGS)

## admin: create a superuser for the admin
admin: install
	$(DEV_ENV) $(MANAGE) createsuperuser

## test: install the dev tools, lint, type-check, then every test (ARGS="-k name" to pick some)
test: install-dev lint typecheck pytest

## pytest: the tests alone (CI's PostgreSQL leg: ARGS='-m "not database_free and not browser"')
pytest: install-dev
	$(TEST_ENV) $(BIN)/pytest $(ARGS)

## screenshots: every public page type checked in Chromium and shot at 1280 and 390 px into
## test-results/screenshots/
screenshots: install-dev
	SCREENSHOTS=1 $(TEST_ENV) $(BIN)/pytest -n 0 tests/browser/test_every_page_type.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## typecheck: mypy (with the django-stubs plugin) on the files pyproject.toml lists
typecheck: install-dev
	$(TEST_ENV) $(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
