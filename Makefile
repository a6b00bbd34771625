# portal-connector: `make demo` and `make test` each set up everything they need from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: all install chromium check test demo sandbox clean bench

all: test

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

install: $(STAMP)

# Resolves Chromium (CONNECTOR_BROWSER__EXECUTABLE, Playwright-managed, /usr/bin/chromium);
# installs Debian's chromium when none is found and we are root, else prints the command to run.
chromium: $(STAMP)
	$(BIN)/python -m connector.browser.ensure

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: check chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: $(STAMP) chromium
	$(BIN)/connector demo --serve

sandbox: $(STAMP)
	$(BIN)/connector sandbox

bench: $(STAMP) chromium
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
