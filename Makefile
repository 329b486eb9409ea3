# Kollega: `make demo` and `make test` are all the set-up a new machine needs
# (Python 3.11 or newer). Both create or reuse .venv.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kollega-installed

.PHONY: demo test check install messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "Kollega needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -m pip install --quiet -e ".[dev]" 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -c 'import kollega, django, pytest' || { echo "Installing Kollega into $(VENV) failed; see the pip output above."; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kollega demo $(ARGS)

test: $(STAMP)
	@$(BIN)/python tests/support/chromium.py
	$(BIN)/pytest $(ARGS)

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/kollega makemigrations --check --dry-run

# Refresh the translation catalogues after changing user-facing strings.
messages: $(STAMP)
	cd src/kollega && ../../$(BIN)/kollega makemessages -l fi -l sv -l en --no-obsolete --ignore "*/migrations/*"
	cd src/kollega && ../../$(BIN)/kollega compilemessages

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
