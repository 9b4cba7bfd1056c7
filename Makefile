# twinning: `make run` serves the demo programme; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# Two test processes (pytest-xdist), a file each at a time: each claims its own PostgreSQL database and Redis db.
PYTEST_WORKERS ?= 2

.PHONY: install run demo lint test services bench clean help catalogues browser axe fuzz

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

CATALOGUES := $(shell find domain web workers -name '*.po' 2>/dev/null)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

catalogues: $(CATALOGUES:.po=.mo)  ## compile the message catalogues (English, Simplified Chinese)

install: $(STAMP) catalogues  ## create the venv and install twinning with its test tools

demo: install  ## load the IUC 2020 demo programme (idempotent)
	$(BIN)/twinning demo

PORT ?= 8000

run: install  ## load the demo programme and serve it on http://127.0.0.1:$(PORT) (embedded mode; make run PORT=8080)
	PORT=$(PORT) $(BIN)/twinning demo
	$(BIN)/twinning serve --host 127.0.0.1 --port $(PORT)

services:  ## make sure PostgreSQL and Redis are up (starts them when they are not)
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  echo "starting Redis"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true; \
	  for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; \
	fi
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo "PostgreSQL is up" || echo "PostgreSQL is NOT up"
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && echo "Redis is up" || echo "Redis is NOT up"

lint: install  ## ruff: lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

browser:  ## headless Chromium and its driver from Debian's packages (the browser tests drive them)
	command -v chromium || (apt-get update && apt-get install -y chromium chromium-driver)
	fc-list :lang=zh | grep -q . || apt-get install -y fonts-wqy-zenhei  # Chinese glyphs in the screenshots

AXE := var/axe/node_modules/axe-core/axe.min.js

$(AXE):
	npm install --silent --no-audit --no-fund --prefix var/axe axe-core@4

axe: $(AXE)  ## axe-core from the npm registry (the browser tests' accessibility checks)

test: install services lint browser axe  ## lint, then run every test against real PostgreSQL, SQLite, Redis and SMTP
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

FUZZ_EXAMPLES ?= 50
FUZZ_SEED ?= 1

fuzz: install  ## schemathesis, long: every check and phase against twinning serve (make fuzz FUZZ_EXAMPLES=200 FUZZ_SEED=7)
	nice -n 10 $(BIN)/python -m tests.support.fuzz --examples $(FUZZ_EXAMPLES) --seed $(FUZZ_SEED) --keep

bench: install services  ## print the benchmark tables (BENCH_QUICK=1 for a tiny run)
	$(BIN)/python -m bench

clean:  ## remove the venv and local data
	rm -rf $(VENV) var .pytest_cache
