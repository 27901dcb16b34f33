# Two commands set everything up on a fresh Debian machine with Python 3.11 and no GPU:
#   make run    create .venv, install, start the app on http://127.0.0.1:8501
#   make test   install the test tools (and Debian's chromium when missing), run the whole test suite
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
export OMP_WAIT_POLICY := PASSIVE
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-dev chromium bench train

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	# The CPU build of torch first (a GPU user installs a CUDA build into .venv before this; pip then keeps it).
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
	$(PY) -m ui.serve --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: install-dev chromium
	$(PY) -m pytest

bench: install
	$(PY) -m bench.transforms
	$(PY) -m bench.models
	$(PY) -m bench.browser

train: install
	$(PY) -m engine.zoo.train
