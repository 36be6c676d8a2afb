# Grant Match: the two commands a newcomer needs are `make dev` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: dev smoke test unit build lint format clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Start the whole local stack (emulators, functions, mail sink, relay) and show it working.
dev: $(STAMP)
	$(PY) -m dev.stack

## Same, but stop after the demo email arrived (exit code says whether it did).
smoke: $(STAMP)
	$(PY) -m dev.stack --smoke

## Lint, then every test: unit, integration (emulators) and end-to-end (whole stack).
## pytest exits 5 when a selection collects no test: that is a failure of the suite here.
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose" >&2; fi; \
	  exit $$rc

## Only the fast tests that need no emulator.
unit: $(STAMP)
	$(PY) -m pytest tests/unit

## Package every function for deployment: build/<function>/ and build/<function>.zip (DEPLOY.md).
build: $(STAMP)
	$(PY) -m dev.build_functions

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) .local build test-artifacts .pytest_cache .ruff_cache
