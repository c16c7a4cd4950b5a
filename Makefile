# Abonent: `make run` and `make test` are all a newcomer needs (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
# The address the letters link to and the printout shows: the one runserver serves at.
SITE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=

.PHONY: run worker install migrate demo serve test test-sqlite test-postgres lint format bench clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py seed_external_demo --if-empty

# Long jobs (the close, mailings, imports, exports) run in a Celery worker started beside the dev server; with no
# CELERY_BROKER_URL it takes them from a folder (kombu's filesystem transport, var/celery/), no broker to install.
# Its log is var/worker.log; it stops with the server.
run: demo
	@SITE_URL=$(SITE_URL) $(PY) manage.py demo_logins
	@echo "Рабочий процесс фоновых заданий: журнал var/worker.log"
	@SITE_URL=$(SITE_URL) $(PY) -m celery -A abonent worker --beat --schedule var/celerybeat-schedule \
	  --concurrency 2 --loglevel INFO >var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

# Only the worker (when the server runs elsewhere, e.g. under an IDE).
worker: migrate
	$(PY) -m celery -A abonent worker --beat --schedule var/celerybeat-schedule --concurrency 2 --loglevel INFO

test: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(MAKE) --no-print-directory test-sqlite
	@if url=$$($(PY) scripts/postgres_url.py); then \
	  $(MAKE) --no-print-directory test-postgres DATABASE_URL=$$url; \
	else echo "PostgreSQL не найден: прогон на PostgreSQL пропущен."; fi

test-sqlite: install
	env -u DATABASE_URL $(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$(DATABASE_URL) $(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Every benchmark in turn, on PostgreSQL (minutes each; see bench/README.md). Not part of `make test`.
BENCHES ?= seed_city billing readings registry receipts jobs pages api
bench: install
	@for b in $(BENCHES); do test -f bench/$$b.py || continue; echo "== bench/$$b.py"; $(PY) bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) var/static
