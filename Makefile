# The two commands of the README:
#   make book   set up .venv and build the book into _build/html (every notebook executed)
#   make test   set up .venv (+ Debian's chromium, nodejs) and run every test, then `make test-colab`
# Each sets itself up on a fresh machine; nothing else is needed.
#   make test-colab   the library, widget and notebook tests again in .venv-colab, pinned to
#                     Colab's runtime (tests/colab-constraints.txt), plus the Colab install checks

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed
# pytest-xdist: one worker per core (at most 4); the book's build and browser checks stay on one
# worker (tests/test_book.py's xdist_group), the rest spread over the others. PARALLEL= runs serially
PARALLEL ?= -n auto --maxprocesses 4 --dist loadgroup

.PHONY: book test test-lib test-colab chromium node lint clean

# Colab's runtime, pinned: rebuilt from nothing whenever the pins, the test tools or the package
# change, so it never carries a version from an older build
COLAB_VENV   ?= .venv-colab
COLAB_PY      = $(COLAB_VENV)/bin/python
COLAB_STAMP   = $(COLAB_VENV)/.installed
COLAB_PINS    = tests/colab-constraints.txt

$(STAMP): requirements.txt tests/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: pip here takes its CPU wheel from local disk (a bare `torch` pulls CUDA)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements.txt -r tests/requirements.txt
	touch $(STAMP)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build --all -W -n --keep-going .
	@echo "The book is in _build/html/index.html"

chromium:
	@bash scripts/ensure-chromium.sh

# the playground's JavaScript tests (tests/js/) run under `node --test`
node:
	@bash scripts/ensure-node.sh

lint: $(STAMP)
	$(PY) -m ruff check $(wildcard dql_teach tests benchmarks scripts)
	$(PY) -m ruff format --check $(wildcard dql_teach tests benchmarks)

test: $(STAMP) chromium node lint
	$(PY) -m pytest $(PARALLEL)
	$(MAKE) --no-print-directory test-colab

test-lib: $(STAMP)
	$(PY) -m pytest $(PARALLEL) -m "not book and not notebooks"

$(COLAB_STAMP): $(COLAB_PINS) tests/requirements.txt pyproject.toml
	rm -rf $(COLAB_VENV)
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_PY) -m pip install -q --upgrade pip
	# torch alone first: with it in place no later step can ask for a (CUDA) torch download
	$(COLAB_PY) -m pip install -q torch==2.13.0
	# every pinned Colab package (-r), and nothing (test tools, dql_teach) may move one (-c)
	$(COLAB_PY) -m pip install -q -r $(COLAB_PINS) -c $(COLAB_PINS) -r tests/requirements.txt -e .
	touch $(COLAB_STAMP)

# the book build and browser tests stay in .venv: the book is built with the newest versions
test-colab: $(COLAB_STAMP)
	DQL_COLAB_ENV=1 $(COLAB_PY) -m pytest $(PARALLEL) -m "not book"

clean:
	rm -rf _build .pytest_cache
