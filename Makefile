# Two commands on a fresh machine:  `make run` (the web chat)  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
# A CPU wheel of torch; an unpinned torch pulls a multi-GB CUDA build.
TORCH ?= torch==2.13.0
HOST ?= 127.0.0.1
PORT ?= 7860
BIN := $(VENV)/bin
# The browser the web chat's tests drive (Debian's package; Playwright never downloads one).
export CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run ingest test bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

.PHONY: browser
browser: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

ingest: install
	$(BIN)/assistant ingest docs

run: ingest
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

test: install browser
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/core.py

clean:
	rm -rf $(VENV) .assistant .pytest_cache
