# The two commands a newcomer needs: `make run` and `make test`. Everything else is here for them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test check install lock benchmark worker emulator clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || \
		{ echo "Seedance Studio needs Python 3.11: install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Development server and worker together, on the embedded defaults (SQLite, local files, local preview).
run: export DJANGO_DEBUG ?= 1
run: export DJANGO_SECURE_COOKIES ?= 0
# Links the studio builds (share links, the URLs a provider fetches) name the address it is started on.
run: export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py runstudio --host $(HOST) --port $(PORT)

# The whole suite, one pytest process per CPU (TEST_PROCESSES=0: in this process). With DATABASE_URL naming
# PostgreSQL, it runs against PostgreSQL (each process gets its own test database).
TEST_PROCESSES ?= auto
test: install
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) $(PYTEST_ARGS)

# What .ci/run checks besides the tests: ruff (lint and format), mypy, migrations up to date, dead code.
check: export DJANGO_DEBUG ?= 1
check: install
	$(BIN)/ruff check seedance_studio tests benchmarks
	$(BIN)/ruff format --check seedance_studio tests benchmarks
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/vulture

worker: install
	$(BIN)/python manage.py runworker

# Fakes of the five providers on 127.0.0.1:8765; prints the variables that point `make run` at them.
emulator: export DJANGO_DEBUG ?= 1
emulator: install
	$(BIN)/python manage.py run_provider_emulator --port 8765

benchmark: install
	$(BIN)/python benchmarks/run_all.py

# Re-pin requirements*.txt from requirements*.in in a throwaway virtual environment.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	( echo "# Pinned with: make lock (pip freeze of requirements.in in a fresh venv)"; .lock-venv/bin/pip freeze ) > requirements.txt
	.lock-venv/bin/pip install --quiet -r requirements-dev.in
	( echo "# Test and benchmark tools, pinned with: make lock. Installed on top of requirements.txt."; \
	  .lock-venv/bin/pip freeze | grep -v -x -F -f requirements.txt ) > requirements-dev.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
