# policy-diff: `make site` builds the site from the bundled archive; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
POLICY_DIFF_CORPUS ?= ../shared/corpus
export POLICY_DIFF_CORPUS
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup site serve test test-corpus bench lint clean

$(BIN)/policy-diff: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/policy-diff

site: setup
	$(BIN)/mkdocs build --strict --site-dir site

serve: setup
	$(BIN)/mkdocs serve

test: setup
	$(BIN)/ruff check tools tests bench
	$(BIN)/python -m pytest -q

test-corpus: setup
	$(BIN)/python -m pytest -q -m corpus -p no:randomly

bench: setup
	$(BIN)/python bench/run_all.py

lint: setup
	$(BIN)/ruff check tools tests bench
	$(BIN)/ruff format --check tools tests bench

clean:
	rm -rf site $(VENV)
