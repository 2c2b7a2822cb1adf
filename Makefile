# The two commands of the README. Both set everything up on a fresh machine (Python 3.11+ needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export OGI_DATABASE_URL ?= sqlite:///$(CURDIR)/var/ogi.db

.PHONY: run test install benchmark benchmark-report docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

## make run: the embedded default (SQLite, in-process broker and scheduler) with demo data
run: install
	mkdir -p var
	$(BIN)/ogi demo load
	$(BIN)/ogi up

## make test: the whole test suite (PostgreSQL tests run when 127.0.0.1:5432 answers)
test: install
	$(BIN)/ruff check engine workflows cli tests benchmarks migrations
	$(BIN)/python -m pytest -q

benchmark: install
	$(BIN)/python -m benchmarks.lifecycle

## the annual report over a 1,000,000-event log against a whole-log replay (about 10 minutes)
benchmark-report: install
	$(BIN)/python -m benchmarks.report

## regenerate docs/workflow.md from the workflow definition
docs: install
	$(BIN)/python -m workflows.foi.docs > docs/workflow.md

clean:
	rm -rf $(VENV) var
