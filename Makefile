# Grant Match: the two commands a newcomer needs are `make dev` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: dev smoke test unit bench build lint format clean messages-extract messages-update messages-compile

# Email catalogues: the .po files are the source (committed), the .mo files are built.
PO_FILES := $(wildcard shared/locale/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

## Compile the message catalogues (make dev and make test do it when a .po changed).
messages-compile: $(MO_FILES)

## Collect every translatable string into shared/locale/messages.pot.
messages-extract: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.toml -o shared/locale/messages.pot --no-location \
	  --sort-output --width 100 --project "Grant Match" --copyright-holder "Grant Match" --msgid-bugs-address "" .

## Merge new strings into every language's .po (then translate, then messages-compile).
messages-update: messages-extract
	$(VENV)/bin/pybabel update -i shared/locale/messages.pot -d shared/locale --no-fuzzy-matching --width 100 \
	  --ignore-obsolete

## Start the whole local stack (emulators, functions, mail sink, relay) and show it working.
## KEEP_DATA=1 keeps Firestore's data and the mailbox from one run to the next (.local/kept/).
dev: $(STAMP) $(MO_FILES)
	$(PY) -m dev.stack $(if $(filter-out 0 no false,$(KEEP_DATA)),--keep-data)

## Same, but stop after the demo email arrived (exit code says whether it did).
smoke: $(STAMP) $(MO_FILES)
	$(PY) -m dev.stack --smoke

## Lint, then every test: unit, integration (emulators) and end-to-end (whole stack).
## pytest exits 5 when a selection collects no test: that is a failure of the suite here.
test: lint $(MO_FILES)
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose" >&2; fi; \
	  exit $$rc

## Only the fast tests that need no emulator.
unit: $(STAMP) $(MO_FILES)
	$(PY) -m pytest tests/unit

## Benchmarks, never run by `make test`: latency against its floor, throughput, cold start,
## memory, matching scale (BENCHMARKS.md). BENCH_ARGS=--quick for a shorter run.
bench: $(STAMP) $(MO_FILES)
	$(PY) -m bench.stack_speed $(BENCH_ARGS)

## Package every function for deployment: build/<function>/ and build/<function>.zip (DEPLOY.md).
build: $(STAMP) $(MO_FILES)
	$(PY) -m dev.build_functions

## Style, then the layer contracts (import-linter) and the types (mypy), as configured in
## pyproject.toml.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) .local build test-artifacts .pytest_cache .ruff_cache .mypy_cache \
	  .import_linter_cache $(MO_FILES)
