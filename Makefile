# Minutes KB — `make serve` and `make test` are the quick start (see README).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
KB     := $(VENV)/bin/kb
INDEX  ?= instance/index
HOST   ?= 127.0.0.1
PORT   ?= 8000
SIZE   ?= 10000
STAMP  := $(VENV)/.installed

.PHONY: help install compile serve index test lint format bench bench-million browser-deps clean

help:
	@echo "make serve   set up .venv, build the index from data/, serve on http://$(HOST):$(PORT)"
	@echo "make test    set up .venv and run the test suite (lint included)"
	@echo "make lint    ruff check and format check"
	@echo "make bench   benchmarks by hand (SIZE=$(SIZE)); writes bench/RESULTS.md"
	@echo "make bench-million   the 1,000,000-item write/query run (about an hour)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# Byte-compile the project's own modules (pip does it for installed packages, not for this
# editable source tree): where PYTHONDONTWRITEBYTECODE is set, every `kb` process and each of
# its worker and reader processes would otherwise compile the source again at start
# (~0.2 CPU s each).  Up-to-date files are skipped, so this is ~0.1 s when nothing changed.
compile: $(STAMP)
	@$(PY) -m compileall -q kb indexer web >/dev/null

install: $(STAMP) compile

# System packages (Debian) the full test suite uses, installed only when missing:
# Chromium for the browser tests, Tesseract for OCR of scanned PDFs, poppler-utils for the
# PDF fixtures and the pdftotext comparison.  Needs root (CI runs as root); skipped otherwise.
browser-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr tesseract-ocr-eng"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: could not install$$missing; the tests that need them will skip"; \
	  else echo "note: missing$$missing (not root): the tests that need them will skip"; fi; \
	fi

index: $(STAMP) compile
	@# an index an older version built (exit 65) is derived from data/: rebuild it
	$(KB) ingest data/minutes --index $(INDEX) --council-from-folder; rc=$$?; \
	if [ $$rc -eq 65 ]; then $(KB) ingest data/minutes --index $(INDEX) --council-from-folder --rebuild; \
	else exit $$rc; fi

serve: index
	KB_INDEX=$(INDEX) $(PY) -m web --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check kb indexer web tests bench
	$(VENV)/bin/ruff format --check kb indexer web tests bench

format: $(STAMP)
	$(VENV)/bin/ruff check --fix kb indexer web tests bench
	$(VENV)/bin/ruff format kb indexer web tests bench

test: $(STAMP) compile browser-deps lint
	$(PY) -m pytest

bench: $(STAMP) compile
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) -m bench --size $(SIZE)

bench-million: $(STAMP) compile
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) -m bench.run_million

clean:
	rm -rf instance .pytest_cache
