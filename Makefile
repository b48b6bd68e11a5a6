# The two commands of the README:
#   make book   set up .venv and build the book into _build/html (every notebook executed)
#   make test   set up .venv (+ Debian's chromium) and run every test
# Each sets itself up on a fresh machine; nothing else is needed.

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: book test test-lib chromium lint clean

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

lint: $(STAMP)
	$(PY) -m ruff check $(wildcard dql_teach tests benchmarks scripts)
	$(PY) -m ruff format --check $(wildcard dql_teach tests benchmarks)

test: $(STAMP) chromium lint
	$(PY) -m pytest

test-lib: $(STAMP)
	$(PY) -m pytest -m "not book and not notebooks"

clean:
	rm -rf _build .pytest_cache
