# Kollega: `make demo` and `make test` are all the set-up a new machine needs
# (Python 3.11 or newer). Each creates .venv on first use and reuses it after.
#
#   make demo     build the demo and serve it on http://127.0.0.1:8000 (ARGS="--reset" rebuilds it)
#   make test     the whole test suite (ARGS="tests/core -x" to narrow it)
#   make check    lint (ruff), formatting, types (mypy) and missing migrations

# The first Python 3.11+ on the PATH (python3 first); override with `make PYTHON=/path/to/python3.12 ...`.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kollega-installed

.PHONY: demo test check install messages clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Kollega needs Python 3.11 or newer and found none on the PATH: install one, or run make PYTHON=/path/to/python3.11 ..."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "Kollega needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1). Run make PYTHON=/path/to/python3.11 ..."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ echo "Could not create $(VENV): install Python's venv module (Debian/Ubuntu: apt-get install python3-venv)."; exit 1; }
	@echo "Installing Kollega and its tools into $(VENV) (the first time takes a minute)…"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]" 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -c 'import kollega, django, pytest' 2>/dev/null || \
		{ echo "Installing Kollega into $(VENV) failed; see pip's messages above."; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kollega demo $(ARGS)

test: $(STAMP)
	@$(BIN)/python tests/support/chromium.py
	$(BIN)/pytest $(ARGS)

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/kollega makemigrations --check --dry-run

# Refresh the translation catalogues after changing user-facing strings.
messages: $(STAMP)
	cd src/kollega && KOLLEGA_DATA_DIR=$(CURDIR)/data ../../$(BIN)/kollega makemessages -l fi -l sv -l en --no-obsolete --ignore "*/migrations/*"
	cd src/kollega && KOLLEGA_DATA_DIR=$(CURDIR)/data ../../$(BIN)/kollega compilemessages

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
