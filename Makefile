# The two commands of the README. Both set everything up on a fresh machine (Python 3.11+ needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install benchmark benchmark-report docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# htmx for the pages' partial updates, vendored from the npm registry at build time (never a CDN)
HTMX_VERSION := 2.0.11
web/static/vendor/htmx.min.js:
	mkdir -p web/static/vendor var/npm
	cd var/npm && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null && tar xzf htmx.org-$(HTMX_VERSION).tgz package/dist/htmx.min.js
	cp var/npm/package/dist/htmx.min.js $@

install: $(BIN)/.installed web/static/vendor/htmx.min.js

## make run: the embedded default (SQLite file ogi.db here, as for every `ogi` command run here) with demo data
## the demo's users (admin, zhang 经办人, li 负责人, wang 审计) sign in with OGI_DEMO_PASSWORD (default ogi-demo)
OGI_DEMO_PASSWORD ?= ogi-demo
run: install
	OGI_ADMIN_PASSWORD=$(OGI_DEMO_PASSWORD) OGI_NEW_USER_PASSWORD=$(OGI_DEMO_PASSWORD) $(BIN)/ogi demo load
	$(BIN)/ogi up

## make test: the whole test suite (PostgreSQL tests run when 127.0.0.1:5432 answers), one pytest-xdist worker a core
## (each worker has its own PostgreSQL database; tests sharing a fixed port are kept in one worker by xdist_group)
test: install
	$(BIN)/ruff check bootstrap engine workflows notifications cli web tests benchmarks migrations
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n auto --dist loadgroup

benchmark: install
	$(BIN)/python -m benchmarks.lifecycle

## the annual report over a 1,000,000-event log against a whole-log replay (about 10 minutes)
benchmark-report: install
	$(BIN)/python -m benchmarks.report

## regenerate docs/workflow.md from the workflow definition
docs: install
	$(BIN)/python -m workflows.workflow_docs > docs/workflow.md

clean:
	rm -rf $(VENV) var
