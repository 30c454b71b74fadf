# Two commands on a fresh machine:  `make run` (the web chat)  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
# A CPU wheel of torch; an unpinned torch pulls a multi-GB CUDA build.
TORCH ?= torch==2.13.0
HOST ?= 127.0.0.1
PORT ?= 7860
BIN := $(VENV)/bin
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

ingest: install
	$(BIN)/assistant ingest docs

run: ingest
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

# LIMIT=N: quick runs (the first N MultiHop-RAG questions, core.py on 60 files); empty: the full sets.
bench: install
	$(BIN)/python benchmarks/core.py $(if $(LIMIT),--limit 60)
	$(BIN)/python benchmarks/multihop.py $(if $(LIMIT),--limit $(LIMIT))

clean:
	rm -rf $(VENV) .assistant .pytest_cache
