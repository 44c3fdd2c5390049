# Saring developer commands. A fresh machine needs only Python 3.12+: `make` builds .venv with
# uv and starts a private PostgreSQL (and a Redis, if none answers on 6379) under var/.
# docs/operations.md explains each target.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
VPY := $(VENV)/bin/python
MANAGE := $(VPY) manage.py
# Runs a command with DATABASE_URL and REDIS_URL set: yours if exported, else var/'s servers.
DEVENV := $(VPY) scripts/devenv.py --
SYNC_STAMP := $(VENV)/.uv-sync-stamp
BOOTSTRAP := var/bootstrap
QUEUES := default,callbacks,email
RUN_ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?=

# The interpreter for .venv: PYTHON=... if given, else the first Python 3.12+ found on PATH
# (python3.13, python3.12, python3.14, python3), then under ~/.pyenv/versions.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.14 python3 \
	$$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { command -v "$$p"; break; }; done)
# uv from PATH, else one pip-installed into var/bootstrap.
UV ?= $(or $(shell command -v uv 2>/dev/null),$(BOOTSTRAP)/bin/uv)

export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PYTHONUNBUFFERED := 1
export SARING_ENV ?= dev

.PHONY: help run test lint fmt worker beat demo migrate venv chromium services services-stop shift

help:
	@echo "make run            migrate, seed the demo, serve http://$(RUN_ADDR)/ with a Celery worker and beat (RUN_ADDR=host:port)"
	@echo "make test           run pytest (PYTEST_ARGS='-k webhook' to narrow it)"
	@echo "make lint           ruff check, ruff format --check, mypy, lint-imports, makemigrations --check, bandit, pip-audit"
	@echo "make fmt            ruff check --fix, then ruff format"
	@echo "make worker         a Celery worker on the queues $(QUEUES)"
	@echo "make beat           Celery beat (the periodic tasks; schedule and lock in Redis)"
	@echo "make demo           re-run seed_demo (prints the demo logins)"
	@echo "make migrate        apply migrations"
	@echo "make services       start the private PostgreSQL/Redis under var/ and print their URLs"
	@echo "make services-stop  stop them (their data stays in var/)"
	@echo "make shift          a whole 10-minute shift under load with faults, ledgers checked (SHIFT_ARGS='--replicas 2')"

# --- Python environment --------------------------------------------------------------------

venv: $(SYNC_STAMP)

$(SYNC_STAMP): pyproject.toml uv.lock | $(UV)
	@test -n "$(PYTHON)" || { echo "make: no Python 3.12+ found; install one or pass PYTHON=/path/to/python3.12" >&2; exit 1; }
	$(UV) sync --frozen --python "$(PYTHON)"
	@touch $@

$(BOOTSTRAP)/bin/uv:
	@test -n "$(PYTHON)" || { echo "make: no Python 3.12+ found; install one or pass PYTHON=/path/to/python3.12" >&2; exit 1; }
	@echo "make: uv is not on PATH; installing it into $(BOOTSTRAP)"
	"$(PYTHON)" -m venv $(BOOTSTRAP)
	$(BOOTSTRAP)/bin/pip install --quiet --disable-pip-version-check uv

# --- Running -------------------------------------------------------------------------------

# The demo platform's callback URL and the printed links use the address actually served.
run: venv
	$(DEVENV) $(MANAGE) migrate --noinput
	$(DEVENV) $(MANAGE) seed_demo --base-url "$$($(VPY) scripts/devserver.py --addr '$(RUN_ADDR)' --print-url)"
	$(DEVENV) $(VPY) scripts/devserver.py --addr '$(RUN_ADDR)'

worker: venv
	$(DEVENV) $(VENV)/bin/celery -A pemilu worker -l info -Q $(QUEUES)

# The schedule and its lock live in Redis (redbeat): a second beat waits instead of doubling.
beat: venv
	$(DEVENV) $(VENV)/bin/celery -A pemilu beat -l info

migrate: venv
	$(DEVENV) $(MANAGE) migrate --noinput

demo: migrate
	$(DEVENV) $(MANAGE) seed_demo

services: venv
	@$(DEVENV) true

services-stop:
	$(VPY) scripts/devdb.py stop
	$(VPY) scripts/devredis.py stop

# A whole election-night shift on this machine (bench/shift/run.py): its own PostgreSQL cluster
# and Redis, gunicorn, Celery and beat behind HAProxy, faults on a timer, ledgers compared with
# the database. Writes bench/results/shift.md. Needs Debian's postgresql-15, redis-server,
# haproxy, faketime and openssl; runs as root (the private cluster runs as postgres).
SHIFT_ARGS ?=
shift: venv
	$(VPY) bench/shift/run.py $(SHIFT_ARGS)

# --- Checks --------------------------------------------------------------------------------

test: venv chromium
	SARING_ENV=test $(DEVENV) $(VENV)/bin/pytest --durations=20 $(PYTEST_ARGS)

# Every check runs; the target fails if any of them did.
lint: venv
	@status=0; \
	echo "--- ruff check"; $(VENV)/bin/ruff check . || status=1; \
	echo "--- ruff format --check"; $(VENV)/bin/ruff format --check . || status=1; \
	echo "--- mypy"; $(VENV)/bin/mypy moderation pemilu || status=1; \
	echo "--- lint-imports (layers, no import cycles)"; $(VENV)/bin/lint-imports --no-cache || status=1; \
	echo "--- makemigrations --check"; \
	SARING_ENV=test $(DEVENV) $(MANAGE) makemigrations --check --dry-run || status=1; \
	echo "--- bandit (new findings over the reviewed .bandit-baseline.json)"; \
	$(VENV)/bin/bandit -r moderation pemilu -x moderation/migrations -q -b .bandit-baseline.json || status=1; \
	echo "--- pip-audit (known vulnerabilities in the installed packages)"; \
	$(VPY) scripts/pip_audit.py || status=1; \
	exit $$status

fmt: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "make: installing Debian's chromium for the browser tests"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "make: warning: /usr/bin/chromium is missing; install Debian's chromium for the browser tests" >&2; \
	fi
