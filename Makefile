# policy-diff: `make site` builds the site from the bundled archive; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
POLICY_DIFF_CORPUS ?= ../shared/corpus
export POLICY_DIFF_CORPUS
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup site serve test test-corpus bench lint clean chromium

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

# The site's browser tests drive Debian's chromium (never a downloaded browser): install it
# when missing and we may (root with apt), else say how.
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "the browser tests need Debian's chromium: sudo apt-get install -y chromium" >&2; exit 1; \
	  fi; }

# Two workers (the machine's cores), a test file per worker at a time: a file's module
# fixtures are built once, and the sites every file shares once per run (site_support.py).
# Files go out slowest first (tests/conftest.py's SLOW_FIRST), not in xdist's order.
TEST_WORKERS ?= 2

test: setup chromium
	$(BIN)/ruff check tools tests bench
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-corpus: setup
	$(BIN)/python -m pytest -q -m corpus -p no:randomly

bench: setup
	$(BIN)/python bench/run_all.py

lint: setup
	$(BIN)/ruff check tools tests bench
	$(BIN)/ruff format --check tools tests bench

clean:
	rm -rf site $(VENV)
