# Quick start: `make demo` builds the examples into output/, `make test` runs the whole test suite.
# Contributors: `make lint` (ruff and mypy) and `make test-fast` (the suite without LibreOffice and slow tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint schema snapshots bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,lint]'
	touch $(STAMP)

demo: $(STAMP)
	@./scripts/system-deps.sh
	$(BIN)/policygen validate
	$(BIN)/policygen build
	$(BIN)/policygen build --model
	$(BIN)/policygen check --report
	$(BIN)/policygen submission build union-2026

test: $(STAMP)
	@./scripts/system-deps.sh --test
	$(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m 'not libreoffice and not slow'

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# rewrite the golden JSON of every example's document models (tests/snapshots/) and the parser's fixtures
snapshots: $(STAMP)
	$(BIN)/pytest -q --update-snapshots tests/test_snapshots.py tests/test_parse.py

schema: $(STAMP)
	$(BIN)/policygen schema > schema/profile.schema.json
	$(BIN)/policygen schema --submission > schema/submission.schema.json

bench: $(STAMP)
	@./scripts/system-deps.sh --test
	$(BIN)/python bench/policy_times.py
	$(BIN)/python bench/pdf_path.py

clean:
	rm -rf output $(VENV) build dist
