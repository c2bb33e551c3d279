# Quick start: `make demo` builds the examples into output/, `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint schema bench clean

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

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

schema: $(STAMP)
	$(BIN)/policygen schema > schema/profile.schema.json
	$(BIN)/policygen schema --submission > schema/submission.schema.json

bench: $(STAMP)
	@./scripts/system-deps.sh --test
	$(BIN)/python bench/policy_times.py
	$(BIN)/python bench/pdf_path.py

clean:
	rm -rf output $(VENV) build dist
