# The two commands: `make run` serves Học Số, `make test` runs every check. Both bootstrap .venv.
# `make test` runs the tests in parallel (pytest-xdist, see WORKERS): each test has its own
# SQLite file and each worker its own PostgreSQL database.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint content suite bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/hocso serve

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check bot storage tests bench
	$(BIN)/mypy bot storage bench
	$(BIN)/lint-imports

# The checks run beside the suite: its processes wait for servers, browsers and sockets
# part of the time, which the type check (about 12 s of CPU) fills. Any failure fails it.
# The content check is one of the tests (test_shipped_content_is_valid: the same check as
# `make content`, whose warnings and missing translations are for writers to read).
test: $(VENV)/.dev-installed
	$(MAKE) --no-print-directory -j 2 lint suite

content: $(VENV)/.dev-installed
	$(BIN)/hocso content check

# The suite starts about 150 Python processes. Compiled once here, bot/ and storage/ are not
# compiled again in each of them where PYTHONDONTWRITEBYTECODE keeps Python from saving it.
# Each pytest worker imports every test module, rewriting its asserts; let pytest keep what
# it rewrote (tests/__pycache__), or each worker redoes it at every run: ~3 s of CPU each.
# Two pytest workers more than the CPUs: many tests wait on the processes they start (servers
# killed and restarted, browsers, paced fan-outs), and the extra workers compute meanwhile.
# On 2 cores, since a start checks its content once: 4 workers 185.8 and 181.5 s, 3 workers
# 191.0 and 183.4 s, back to back (bench/RESULTS.md, issue 18).
WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 2)")

suite: $(VENV)/.dev-installed
	$(BIN)/python -m compileall -q bot storage
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(WORKERS)

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/tutor_bench.py
