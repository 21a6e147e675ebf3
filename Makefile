# The two commands (README): `make quickstart` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Every pip call (build environments included) sees the torch pin: no CUDA packages are pulled.
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1
PLUGINS := $(wildcard plugins/degsdk-*)
STAMP := $(VENV)/.degsdk-installed

.PHONY: setup quickstart test lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt $(wildcard plugins/degsdk-*/pyproject.toml)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev,ray]" $(foreach p,$(PLUGINS),-e $(p))
	touch $@

quickstart: $(STAMP)
	rm -rf outputs/quickstart
	$(VENV)/bin/degsdk run recipes/quickstart.yaml
	@echo "hr/, lr/, manifest.jsonl and preview.png in outputs/quickstart/"

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest --durations=15 --timeout=300 tests
	bash .ci/plugins_isolated.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) $(VENV)-isolated outputs
